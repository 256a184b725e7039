package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/briefcasehq/briefcase/notify"
)

// Log everything, and send governance digests to a second notifier too.
func ExampleFanOut() {
	var digests notify.Recorder // stands in for a webhook
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	n := notify.FanOut(
		notify.NewLog(logger),
		notify.Filter(&digests, notify.Kinds("governance.digest")),
	)
	ctx := context.Background()
	_ = n.Notify(ctx, notify.Notification{To: "p-1", Kind: "share.viewed", Subject: "Acme viewed your pitch"})
	_ = n.Notify(ctx, notify.Notification{To: "p-1", Kind: "governance.digest", Subject: "3 items expire", Key: "w07"})
	for _, d := range digests.All() {
		fmt.Println("digest:", d.Subject)
	}
	// Output:
	// level=INFO msg=notification to=p-1 email="" kind=share.viewed subject="Acme viewed your pitch" key=""
	// level=INFO msg=notification to=p-1 email="" kind=governance.digest subject="3 items expire" key=w07
	// digest: 3 items expire
}

// A receiver checks every request before trusting it.
func ExampleVerifySignature() {
	secret := []byte("shared-secret-of-at-least-16-bytes")
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		err = notify.VerifySignature(secret, r.Header.Get(notify.HeaderTimestamp),
			r.Header.Get(notify.HeaderSignature), body, time.Now(), 5*time.Minute)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("verified", r.Header.Get("Idempotency-Key"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	hook, err := notify.NewWebhook(notify.WebhookOptions{URL: receiver.URL, Secret: secret})
	if err != nil {
		panic(err)
	}
	err = hook.Notify(context.Background(), notify.Notification{Kind: "governance.digest", Subject: "3 items expire",
		Key: "digest-w07"})
	fmt.Println(err)

	forged, _ := notify.NewWebhook(notify.WebhookOptions{URL: receiver.URL, Secret: []byte("some-other-secret-16")})
	err = forged.Notify(context.Background(), notify.Notification{Kind: "governance.digest"})
	var refused *notify.WebhookError
	if errors.As(err, &refused) {
		fmt.Println("forged request refused with", refused.Status, "after", refused.Attempts, "attempt")
	}
	// Output:
	// verified digest-w07
	// <nil>
	// forged request refused with 401 after 1 attempt
}

func ExampleNewSMTP() {
	mailer, err := notify.NewSMTP(notify.SMTPOptions{
		Addr:       "smtp.example.com:587",
		From:       "briefcase@example.com",
		Username:   "briefcase",
		Password:   os.Getenv("SMTP_PASSWORD"),
		RequireTLS: true, // never send one-time codes in plain text
	})
	if err != nil {
		panic(err)
	}
	_ = mailer // configure it as briefcase.Config.Notifier, or FanOut it with others
}
