// Command embed shows Briefcase mounted inside an existing Go service: the
// service keeps its own routes and its own authentication, and serves the
// Briefcase JSON API under /briefcase/.
//
// Authentication is the service's business, not Briefcase's: here a trusted
// reverse proxy in front of the service has already signed the user in and
// passes the user's ID in the X-User header. proxyIdentity implements
// briefcase.Identity over that header and maps it to a stored principal.
//
// Run it and call the API as a user the proxy would have vouched for:
//
//	go run ./examples/embed -addr 127.0.0.1:8090
//	curl -H 'X-User: alice' http://127.0.0.1:8090/briefcase/api/v1/me
//
// Never trust such a header on a port reachable without the proxy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "embed: %v\n", err)
		os.Exit(1)
	}
}

// errNoUser is what proxyIdentity answers when the proxy vouched for nobody
// we know; its code makes the API answer 401.
var errNoUser = errcode.New(errcode.Unauthenticated, "embed: no known user in X-User")

// proxyIdentity is a briefcase.Identity that trusts the X-User header set by
// the authenticating proxy, and loads that user's principal (groups, roles,
// trainings) from the store.
type proxyIdentity struct {
	users interface {
		GetPrincipal(ctx context.Context, id string) (spots.Principal, error)
	}
}

var _ briefcase.Identity = proxyIdentity{}

// Authenticate implements briefcase.Identity.
func (p proxyIdentity) Authenticate(r *http.Request) (spots.Principal, error) {
	id := r.Header.Get("X-User")
	if id == "" {
		return spots.Principal{}, errNoUser
	}
	pr, err := p.users.GetPrincipal(r.Context(), id)
	if errors.Is(err, spots.ErrNotFound) {
		return spots.Principal{}, errNoUser
	}
	return pr, err
}

// app is the existing service with Briefcase mounted in it.
type app struct {
	handler http.Handler
	lib     *briefcase.Library
	db      *sqlitestore.DB
}

// newApp opens Briefcase's store in dataDir and builds the service's mux:
// its own routes, plus the Briefcase API under /briefcase/.
func newApp(ctx context.Context, dataDir string, log *slog.Logger) (*app, error) {
	db, err := sqlitestore.Open(ctx, filepath.Join(dataDir, "briefcase.db"), sqlitestore.Options{})
	if err != nil {
		return nil, err
	}
	blobs, err := localblobs.New(filepath.Join(dataDir, "blobs"))
	if err != nil {
		db.Close()
		return nil, err
	}
	lib, err := briefcase.New(ctx, briefcase.Config{
		Store:    db,
		Blobs:    blobs,
		Identity: proxyIdentity{users: db}, // the store reads principals without asking who asks
		Logger:   log,
	})
	if err != nil {
		db.Close()
		return nil, err
	}

	mux := http.NewServeMux()
	// The service's own routes stay as they were.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "the existing service; Briefcase is under /briefcase/")
	})
	// Briefcase's handler expects paths without the mount prefix.
	mux.Handle("/briefcase/", http.StripPrefix("/briefcase", lib.Handler()))
	return &app{handler: mux, lib: lib, db: db}, nil
}

// Close closes the Library, then its store.
func (a *app) Close() error { return errors.Join(a.lib.Close(), a.db.Close()) }

// seed makes sure the users the proxy vouches for exist. A real service
// would provision them from its directory.
func (a *app) seed(ctx context.Context) error {
	sys := briefcase.SystemContext(ctx)
	alice, err := a.lib.Spots.SavePrincipal(sys, spots.Principal{ID: "alice", Name: "Alice Smith",
		Email: "alice@example.com", Groups: []string{"sales"}, Roles: []spots.PlatformRole{spots.Admin}})
	if err != nil {
		return err
	}
	_, err = a.lib.Spots.RecordTraining(sys, alice.ID, spots.TrainingContentContributor)
	return err
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	data := fs.String("data", "", "data directory (default: a new temporary directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if *data == "" {
		dir, err := os.MkdirTemp("", "briefcase-embed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*data = dir
	}
	a, err := newApp(ctx, *data, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.seed(ctx); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	runDone := make(chan error, 1)
	go func() { runDone <- a.lib.Run(runCtx) }() // Briefcase's background jobs
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(),
		"try", "curl -H 'X-User: alice' http://"+ln.Addr().String()+"/briefcase/api/v1/me")

	select {
	case err := <-serveDone:
		stopRun()
		return errors.Join(err, <-runDone)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	stopRun()
	return errors.Join(err, <-runDone)
}
