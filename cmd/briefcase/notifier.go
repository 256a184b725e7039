package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/notify"
)

// notifications configures where notices go and the governance deadlines,
// from the environment:
//
//	BRIEFCASE_WEBHOOK_URL, BRIEFCASE_WEBHOOK_SECRET (at least 16 bytes):
//	  POST every notification as signed JSON;
//	BRIEFCASE_SMTP_ADDR (host:port), BRIEFCASE_SMTP_FROM, and optionally
//	  BRIEFCASE_SMTP_USERNAME, BRIEFCASE_SMTP_PASSWORD,
//	  BRIEFCASE_SMTP_REQUIRE_TLS=true: e-mail every notification;
//	BRIEFCASE_TRAINING_DEADLINE_DAYS: days after provisioning by which
//	  users must complete the "user" training (notices before and after).
//
// Notifications are always logged too. With both a webhook and e-mail, a
// notification counts as delivered once either channel took it (the other's
// failure is logged, after its own retries): a sender that retries never
// sends a channel that succeeded the same message again.
func (e *cmdEnv) notifications(log *slog.Logger) (func(*briefcase.Config), error) {
	ns := []notify.Notifier{notify.NewLog(log)}
	if u := e.getenv("BRIEFCASE_WEBHOOK_URL"); u != "" {
		hook, err := notify.NewWebhook(notify.WebhookOptions{URL: u, Secret: []byte(e.getenv("BRIEFCASE_WEBHOOK_SECRET"))})
		if err != nil {
			return nil, usagef("BRIEFCASE_WEBHOOK_URL/BRIEFCASE_WEBHOOK_SECRET: %v", err)
		}
		ns = append(ns, hook)
	}
	if addr := e.getenv("BRIEFCASE_SMTP_ADDR"); addr != "" {
		requireTLS, err := envBool(e.getenv("BRIEFCASE_SMTP_REQUIRE_TLS"))
		if err != nil {
			return nil, usagef("BRIEFCASE_SMTP_REQUIRE_TLS: %v", err)
		}
		mail, err := notify.NewSMTP(notify.SMTPOptions{Addr: addr, From: e.getenv("BRIEFCASE_SMTP_FROM"),
			Username: e.getenv("BRIEFCASE_SMTP_USERNAME"), Password: e.getenv("BRIEFCASE_SMTP_PASSWORD"), RequireTLS: requireTLS})
		if err != nil {
			return nil, usagef("BRIEFCASE_SMTP_*: %v", err)
		}
		ns = append(ns, mail)
	}
	var deadline time.Duration
	if v := e.getenv("BRIEFCASE_TRAINING_DEADLINE_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			return nil, usagef("BRIEFCASE_TRAINING_DEADLINE_DAYS: want a number of days from 1 to 3650, got %q", v)
		}
		deadline = time.Duration(n) * 24 * time.Hour
	}
	n := ns[0]
	if len(ns) > 1 {
		n = anyChannel{log: log, logN: ns[0], channels: ns[1:]}
	}
	return func(c *briefcase.Config) {
		c.Notifier = n
		c.Governance.UserTrainingDeadline = deadline
	}, nil
}

func envBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "false", "no":
		return false, nil
	case "1", "true", "yes":
		return true, nil
	}
	return false, fmt.Errorf("want true or false, got %q", v)
}

// anyChannel logs a notification and hands it to every channel at once;
// it fails only when every channel failed, so a retry never repeats a
// message on a channel that took it.
type anyChannel struct {
	log      *slog.Logger
	logN     notify.Notifier
	channels []notify.Notifier
}

func (a anyChannel) Notify(ctx context.Context, n notify.Notification) error {
	_ = a.logN.Notify(ctx, n)
	errs := make([]error, len(a.channels))
	var wg sync.WaitGroup
	for i, c := range a.channels {
		wg.Go(func() { errs[i] = c.Notify(ctx, n) })
	}
	wg.Wait()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) == len(errs) {
		return errors.Join(failed...)
	}
	for _, err := range failed {
		a.log.WarnContext(ctx, "notification channel failed; delivered through another", "to", n.To, "kind", n.Kind, "err", err)
	}
	return nil
}
