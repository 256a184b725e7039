package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/notify"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
	"github.com/matryer/is"
)

// TestSweepCommand: `briefcase sweep` expires what is due and delivers the
// notices through the webhook the environment names, signed; a second run
// does and sends nothing.
func TestSweepCommand(t *testing.T) {
	is := is.New(t)
	data := t.TempDir()
	ctx := context.Background()
	// Two hours ago, Olivia added a deck that expired an hour ago.
	db, err := sqlitestore.Open(ctx, filepath.Join(data, "briefcase.db"), sqlitestore.Options{})
	is.NoErr(err)
	blobs, err := localblobs.New(filepath.Join(data, "blobs"))
	is.NoErr(err)
	past := time.Now().Add(-2 * time.Hour)
	lib, err := briefcase.New(ctx, briefcase.Config{Store: db, Blobs: blobs, Now: func() time.Time { return past }})
	is.NoErr(err)
	sys := briefcase.SystemContext(ctx)
	olivia, err := lib.Spots.SavePrincipal(sys, spots.Principal{ID: "olivia", Name: "Olivia", Email: "olivia@example.com",
		Trainings: []spots.Training{{Name: spots.TrainingContentContributor}}})
	is.NoErr(err)
	as := briefcase.WithPrincipal(ctx, olivia)
	sp, err := lib.Spots.Create(as, spots.NewSpot{Name: "Product", Kind: spots.KindProduct})
	is.NoErr(err)
	_, err = lib.Items.Create(as, items.NewItem{SpotID: sp.ID, Kind: items.KindDocument, Title: "Old deck", ExpiresAt: past.Add(time.Hour)})
	is.NoErr(err)
	is.NoErr(lib.Close())
	is.NoErr(db.Close())

	secret := "a webhook secret of some length"
	var mu sync.Mutex
	var got []notify.Notification
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature([]byte(secret), r.Header.Get("X-Briefcase-Timestamp"),
			r.Header.Get("X-Briefcase-Signature"), body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var n notify.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	}))
	defer srv.Close()
	env := map[string]string{"BRIEFCASE_WEBHOOK_URL": srv.URL, "BRIEFCASE_WEBHOOK_SECRET": secret}
	sweep := func() map[string]any {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(ctx, []string{"sweep", "-data", data}, strings.NewReader(""), &out, &errOut, func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("sweep: %v\n%s", err, errOut.String())
		}
		var res map[string]any
		is.NoErr(json.Unmarshal(out.Bytes(), &res))
		return res
	}
	res := sweep()
	is.Equal(res["transitions"], 1.0)
	is.Equal(res["messages_sent"], 1.0) // olivia owns the spot and the item: one digest
	mu.Lock()
	is.Equal(len(got), 1)
	is.Equal(got[0].To, "olivia")
	is.Equal(got[0].Email, "olivia@example.com")
	is.Equal(got[0].Kind, "governance.digest")
	is.True(strings.Contains(got[0].Body, "Old deck"))
	mu.Unlock()

	res = sweep()
	is.Equal(res["transitions"], 0.0)
	is.Equal(res["notices_recorded"], 0.0)
	is.Equal(res["messages_sent"], 0.0)

	env["BRIEFCASE_WEBHOOK_SECRET"] = "short"
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"sweep", "-data", data}, strings.NewReader(""), &out, &errOut, func(k string) string { return env[k] })
	is.True(err != nil) // a bad configuration is refused before anything runs
	is.True(strings.Contains(err.Error(), "BRIEFCASE_WEBHOOK"))
	is.Equal(exitCode(err), 2)
}

// TestAnyChannel: with two channels, one failing, a notification is
// delivered (no retry repeats it on the one that took it); with all
// failing, it fails.
func TestAnyChannel(t *testing.T) {
	is := is.New(t)
	ok, bad := &notify.Recorder{}, &notify.Recorder{Fail: func(notify.Notification) error { return io.ErrUnexpectedEOF }}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	n := anyChannel{log: log, logN: notify.NewLog(log), channels: []notify.Notifier{ok, bad}}
	is.NoErr(n.Notify(context.Background(), notify.Notification{To: "olivia", Kind: "governance.digest"}))
	is.Equal(ok.Len(), 1)
	is.True(strings.Contains(logs.String(), "delivered through another"))
	all := anyChannel{log: log, logN: notify.NewLog(log), channels: []notify.Notifier{bad, bad}}
	is.True(all.Notify(context.Background(), notify.Notification{To: "olivia"}) != nil)
}
