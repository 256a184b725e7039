package notify

import (
	"net/http"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{" 3 ", 3 * time.Second},
		{"29", 29 * time.Second},
		{"99999999999999999", maxBackoff},
		{"soon", 0},
		{now.Add(10 * time.Second).UTC().Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
	} {
		t.Run(tc.header, func(t *testing.T) {
			is := is.New(t)
			is.Equal(parseRetryAfter(tc.header, now), tc.want)
		})
	}
}
