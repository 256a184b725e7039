package notify

import (
	"context"
	"log/slog"
)

// NewLog returns a Notifier that writes one structured record per
// notification to l (slog.Default() when l is nil), at level Info with the
// message "notification" and the attributes to, email, kind, subject and
// key. It never logs Body or HTML: bodies can carry one-time codes and
// other secrets, and logs are read by more people than mailboxes. Notify
// always returns nil.
func NewLog(l *slog.Logger) Notifier { return logNotifier{log: l} }

type logNotifier struct{ log *slog.Logger }

var _ Notifier = logNotifier{}

func (l logNotifier) Notify(ctx context.Context, n Notification) error {
	log := l.log
	if log == nil {
		log = slog.Default()
	}
	log.LogAttrs(ctx, slog.LevelInfo, "notification",
		slog.String("to", n.To),
		slog.String("email", n.Email),
		slog.String("kind", n.Kind),
		slog.String("subject", n.Subject),
		slog.String("key", n.Key),
	)
	return nil
}
