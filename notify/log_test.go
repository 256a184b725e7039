package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/notify"
)

var otp = notify.Notification{
	Email:   "buyer@example.com",
	Subject: "Your access code",
	Body:    "Your code is 493817.",
	HTML:    "<p>Your code is <b>493817</b>.</p>",
	Kind:    "share.otp",
	Key:     "otp-42",
}

func TestLogWritesOneRecordWithoutTheBody(t *testing.T) {
	is := is.New(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	n := otp
	n.To = "p-7"
	is.NoErr(notify.NewLog(logger).Notify(context.Background(), n))

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	is.Equal(len(lines), 1) // one record per notification
	var rec map[string]any
	is.NoErr(json.Unmarshal([]byte(lines[0]), &rec))
	is.Equal(rec["level"], "INFO")
	is.Equal(rec["msg"], "notification")
	is.Equal(rec["to"], "p-7")
	is.Equal(rec["email"], "buyer@example.com")
	is.Equal(rec["kind"], "share.otp")
	is.Equal(rec["subject"], "Your access code")
	is.Equal(rec["key"], "otp-42")
	_, hasBody := rec["body"]
	_, hasHTML := rec["html"]
	is.True(!hasBody && !hasHTML)
	is.True(!strings.Contains(buf.String(), "493817")) // the one-time code never reaches the log
}

// Not parallel: it swaps the process-wide default logger.
func TestLogNilLoggerUsesDefault(t *testing.T) {
	is := is.New(t)
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	is.NoErr(notify.NewLog(nil).Notify(context.Background(), otp))
	var rec map[string]any
	is.NoErr(json.Unmarshal(buf.Bytes(), &rec))
	is.Equal(rec["key"], "otp-42")
	is.True(!strings.Contains(buf.String(), "493817"))
}
