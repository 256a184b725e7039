// Package notify delivers Briefcase notifications: to a structured log, to
// a webhook (JSON signed with HMAC-SHA256, retried with backoff), by e-mail
// over SMTP (STARTTLS when offered, plain-text and HTML bodies), to an
// in-memory recorder for tests, or to several of these at once.
//
// Every notifier implements Notifier, which the root package re-exports as
// briefcase.Notifier; configure one with briefcase.Config.Notifier. Combine
// them with FanOut, and route by kind with Filter and Kinds:
//
//	hook, err := notify.NewWebhook(notify.WebhookOptions{URL: url, Secret: secret})
//	...
//	n := notify.FanOut(
//		notify.NewLog(logger),
//		notify.Filter(hook, notify.Kinds("governance.digest")),
//	)
//
// A webhook receiver checks each request with VerifySignature. Options and
// notifications a notifier refuses give an *InvalidError naming the field;
// it matches ErrInvalid. This package depends on the standard library only.
package notify

import (
	"context"
	"errors"
)

// Notification is a message for one principal, or for one outside address.
type Notification struct {
	// To is the principal ID of the recipient; empty for people outside
	// the team (a buyer getting the one-time code of a share's e-mail
	// gate).
	To string `json:"to,omitempty"`
	// Email is where an e-mail goes: the principal's address (the Library
	// fills it from the stored principal) or the outside recipient's.
	Email   string `json:"email,omitempty"`
	Subject string `json:"subject"`
	// Body is the plain-text message. It may carry secrets (one-time
	// codes), so notifiers that only record that a notice went out (the
	// log) leave it out.
	Body string `json:"body"`
	// HTML is the message as HTML; notifiers that need it derive it from
	// Body when it is empty.
	HTML string `json:"html,omitempty"`
	// Kind groups notices ("share.viewed", "governance.digest", ...).
	Kind string `json:"kind"`
	// Key identifies the notice: a sender that retries sends the same Key
	// again, so receivers can drop duplicates.
	Key string `json:"key,omitempty"`
}

// Notifier delivers notifications. Implementations must be safe for
// concurrent use and must honour ctx's deadline. Notify returns nil once
// the notification is delivered (or deliberately dropped, as by Filter),
// and an error otherwise; a caller may retry with the same Key.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Func adapts a function to a Notifier.
type Func func(ctx context.Context, n Notification) error

// Notify calls f.
func (f Func) Notify(ctx context.Context, n Notification) error { return f(ctx, n) }

// ErrInvalid is matched (with errors.Is) by every error about invalid
// options, and about a notification a notifier cannot deliver as given
// (an e-mail without an address, a subject with a line break). Retrying
// such a notification cannot succeed.
var ErrInvalid = errors.New("notify: invalid")

// InvalidError names the option or notification field that is invalid. It
// matches ErrInvalid.
type InvalidError struct {
	// Notifier is the notifier that refused: "webhook" or "smtp".
	Notifier string
	// Field is the option's field name ("URL", "Secret", "From") or the
	// notification's ("Email", "Subject").
	Field string
	// Problem says what is wrong.
	Problem string
}

func (e *InvalidError) Error() string {
	return "notify: " + e.Notifier + ": invalid " + e.Field + ": " + e.Problem
}

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }
