package sqlitestore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/store"
)

// crashEnv names the database the helper process writes to.
const crashEnv = "BRIEFCASE_SQLITESTORE_CRASH_DB"

// TestHelperWriter is not a test on its own: TestCrashKeepsAcknowledgedWrites
// runs the test binary again with only this test selected and crashEnv set.
// It writes items until it is killed, printing "ack <id>" for each item only
// after the call that stored it returned nil.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return // run directly: nothing to do
	}
	ctx := context.Background()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	sp := testSpot("Crash")
	if err := db.CreateSpot(ctx, sp); err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("spot", sp.ID)
	for i := 0; ; i++ {
		if i%10 == 9 {
			// Every tenth write is a batch in one transaction, acknowledged
			// as a whole once Atomic returned nil.
			batch := make([]string, 5)
			err := db.Atomic(ctx, func(tx store.Store) error {
				for j := range batch {
					it := testItem(sp.ID, "batched")
					if err := tx.CreateItem(ctx, it); err != nil {
						return err
					}
					batch[j] = it.ID
				}
				return nil
			})
			if err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			for _, id := range batch {
				fmt.Println("ack", id)
			}
			continue
		}
		it := testItem(sp.ID, "single")
		if err := db.CreateItem(ctx, it); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("ack", it.ID)
	}
}

// TestCrashKeepsAcknowledgedWrites kills a writing process with SIGKILL in
// the middle of its writes and checks that every write it had acknowledged
// is in the database, with its change-feed entry, and that the file is
// intact. With synchronous=NORMAL in WAL mode a commit is in the OS once
// the call returns, so a process crash loses nothing acknowledged (an OS
// crash or power loss may lose the last commits; that is the trade-off of
// NORMAL over FULL).
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	is := is.New(t)
	path := filepath.Join(t.TempDir(), "briefcase.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	is.NoErr(err)
	is.NoErr(cmd.Start())
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	var acked []string
	var spotID string
	lines := bufio.NewScanner(out)
	for len(acked) < 1000 && lines.Scan() {
		kind, value, _ := strings.Cut(lines.Text(), " ")
		switch kind {
		case "ack":
			acked = append(acked, value)
		case "spot":
			spotID = value
		case "error":
			t.Fatalf("helper failed: %s", value)
		}
	}
	is.NoErr(lines.Err())
	is.True(spotID != "")
	is.NoErr(cmd.Process.Kill()) // SIGKILL: no deferred Close, no checkpoint
	killed = true
	// Lines the child printed before it died were acknowledged too.
	for lines.Scan() {
		if kind, value, _ := strings.Cut(lines.Text(), " "); kind == "ack" {
			acked = append(acked, value)
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	is.True(errors.As(err, &exit)) // the child died of the signal
	t.Logf("child killed after %d acknowledged items", len(acked))

	ctx := t.Context()
	db, err := Open(ctx, path, Options{})
	is.NoErr(err)
	defer db.Close()
	var check string
	is.NoErr(db.r.GetContext(ctx, &check, `PRAGMA integrity_check`))
	is.Equal(check, "ok")
	for _, id := range acked {
		_, err := db.GetItem(ctx, id)
		if err != nil {
			t.Fatalf("acknowledged item %s lost: %v", id, err)
		}
	}
	changes, err := db.Changes(ctx, 0, 1<<20)
	is.NoErr(err)
	inFeed := map[string]bool{}
	for i, c := range changes {
		if i > 0 {
			is.Equal(c.Seq, changes[i-1].Seq+1) // the feed has no holes after a crash
		}
		if c.Entity == store.EntityItem && c.Op == store.OpUpsert {
			inFeed[c.EntityID] = true
		}
	}
	for _, id := range acked {
		if !inFeed[id] {
			t.Fatalf("acknowledged item %s is missing from the change feed", id)
		}
	}
	// Nothing half-written: every stored item has its change.
	all, err := db.ListItems(ctx, items.ItemFilter{AllSpots: true, Limit: len(acked) + 1000})
	is.NoErr(err)
	for _, it := range all {
		if !inFeed[it.ID] {
			t.Fatalf("item %s is stored without its change-feed entry", it.ID)
		}
	}
	is.True(len(all) >= len(acked))
}
