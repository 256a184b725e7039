package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
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
// Notifications are always logged too.
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
		n = notify.FanOut(ns...)
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
