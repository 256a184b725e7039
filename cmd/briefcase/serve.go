package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/analytics/csvcrm"
	"github.com/briefcasehq/briefcase/analytics/salesforce"
	"github.com/briefcasehq/briefcase/render"
	"github.com/briefcasehq/briefcase/share"
)

// Server timeouts. There is no overall read or write timeout: uploads and
// downloads of large decks and videos legitimately take minutes, so only the
// phases a slow client could hold open for free are bounded.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 1 << 20
	// shutdownTimeout bounds how long in-flight requests may finish after
	// SIGINT/SIGTERM before the server closes their connections.
	shutdownTimeout = 15 * time.Second
)

func (e *cmdEnv) serve(ctx context.Context, args []string) error {
	fs := e.flagSet("serve", "serve [-data DIR] [-addr HOST:PORT] [-demo]")
	data := e.dataFlag(fs)
	addr := fs.String("addr", e.envOr("BRIEFCASE_ADDR", "127.0.0.1:8080"),
		"address to listen on; port 0 picks a free port (env BRIEFCASE_ADDR)")
	publicURL := fs.String("public-url", e.envOr("BRIEFCASE_PUBLIC_URL", ""),
		"base URL buyers' share links are built on, e.g. https://briefcase.example.com; by default each API request's own (env BRIEFCASE_PUBLIC_URL)")
	demo := fs.Bool("demo", e.envBool("BRIEFCASE_DEMO"),
		"load the demo data set when the store has no spots yet (env BRIEFCASE_DEMO=1)")
	crmCSV := fs.String("crm-csv", e.envOr("BRIEFCASE_CRM_CSV", ""),
		"directory of accounts.csv, opportunities.csv and contacts.csv for the influenced revenue report (env BRIEFCASE_CRM_CSV); "+
			"or set BRIEFCASE_SALESFORCE_URL, BRIEFCASE_SALESFORCE_CLIENT_ID and BRIEFCASE_SALESFORCE_CLIENT_SECRET")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	crm, err := e.crm(*crmCSV)
	if err != nil {
		return err
	}

	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *publicURL != "" {
		u, err := url.Parse(*publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return usageError{fmt.Sprintf("-public-url %q: want http(s)://host[:port] without a path", *publicURL)}
		}
		*publicURL = strings.TrimSuffix(*publicURL, "/")
	}
	renderer := pageRenderer(log)
	notes, err := e.notifications(log)
	if err != nil {
		return err
	}
	dd, err := openDataDir(ctx, *data, log, true, notes, func(c *briefcase.Config) {
		c.PublicURL = *publicURL
		c.Renderer = renderer
		c.CRM = crm
		c.LogRequests = true
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := dd.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // after Serve returned ErrServerClosed this is a harmless no-op
	base := "http://" + ln.Addr().String()

	if *demo {
		if err := loadDemo(ctx, dd.lib, e.stderr, base); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	// The buyer-facing pages under /p/, the API and operations elsewhere.
	mux := http.NewServeMux()
	mux.Handle("/p/", dd.lib.ViewerHandler())
	mux.Handle("/", dd.lib.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	// Background jobs run until the server stops.
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	runDone := make(chan error, 1)
	go func() { runDone <- dd.lib.Run(runCtx) }()

	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "data", dd.path, "url", base)

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "timeout", shutdownTimeout)
	case err := <-serveDone:
		serveErr = fmt.Errorf("serve: %w", err) // Serve never returns nil
	case err := <-runDone:
		// Run returns before its context ends only when a job failed.
		runDone <- nil
		if err == nil {
			err = errors.New("returned early")
		}
		serveErr = fmt.Errorf("background jobs: %w", err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("shutdown: %w", err))
		srv.Close()
	}
	stopRun()
	if err := <-runDone; err != nil && !errors.Is(err, context.Canceled) {
		serveErr = errors.Join(serveErr, fmt.Errorf("background jobs: %w", err))
	}
	if serveErr == nil {
		log.Info("stopped")
	}
	return serveErr
}

// pageRenderer returns what draws PDF pages as images in the buyer viewer:
// pdftoppm when poppler-utils is installed; without it (nil) the viewer
// shows each page's extracted text, and the server starts all the same.
func pageRenderer(log *slog.Logger) share.Renderer {
	r, err := render.New(render.Options{})
	if err != nil {
		log.Info("viewer pages", "mode", "page text", "why", err)
		return nil // not a nil *render.PDF: the viewer tests for a nil Renderer
	}
	log.Info("viewer pages", "mode", "page images", "pdftoppm", r.Path())
	return r
}

// crm returns the CRM the influenced revenue report reads: CSV files from a
// directory, or Salesforce through its REST API (client credentials of a
// connected app), or none.
func (e *cmdEnv) crm(csvDir string) (analytics.CRM, error) {
	sfURL := e.envOr("BRIEFCASE_SALESFORCE_URL", "")
	switch {
	case csvDir != "" && sfURL != "":
		return nil, usageError{"-crm-csv and BRIEFCASE_SALESFORCE_URL: choose one CRM"}
	case csvDir != "":
		c, err := csvcrm.Load(csvDir)
		if err != nil {
			return nil, fmt.Errorf("crm: %w", err)
		}
		return c, nil
	case sfURL != "":
		id, secret := e.envOr("BRIEFCASE_SALESFORCE_CLIENT_ID", ""), e.envOr("BRIEFCASE_SALESFORCE_CLIENT_SECRET", "")
		if id == "" || secret == "" {
			return nil, usageError{"BRIEFCASE_SALESFORCE_URL needs BRIEFCASE_SALESFORCE_CLIENT_ID and BRIEFCASE_SALESFORCE_CLIENT_SECRET"}
		}
		c, err := salesforce.New(salesforce.Config{
			Token:       salesforce.ClientCredentials(salesforce.ClientCredentialsConfig(sfURL, id, secret)),
			InstanceURL: sfURL, Currency: e.envOr("BRIEFCASE_SALESFORCE_CURRENCY", "")})
		if err != nil {
			return nil, fmt.Errorf("crm: %w", err)
		}
		return c, nil
	}
	return nil, nil
}
