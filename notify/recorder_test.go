package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/notify"
)

func TestRecorderKeepsAndTakes(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	var r notify.Recorder // the zero value is ready
	is.Equal(r.Len(), 0)
	is.Equal(len(r.All()), 0)

	sent := []notify.Notification{
		{To: "p1", Kind: "share.viewed", Subject: "one", Key: "k1"},
		{To: "p2", Kind: "governance.digest", Subject: "two", Key: "k2"},
		{To: "p3", Kind: "share.viewed", Subject: "three", Key: "k3"},
	}
	for _, n := range sent {
		is.NoErr(r.Notify(ctx, n))
	}
	is.Equal(r.Len(), 3)
	is.Equal(r.All(), sent)

	all := r.All()
	all[0].Subject = "changed"
	is.Equal(r.All()[0].Subject, "one") // All returns a copy

	is.Equal(r.Take("share.viewed"), []notify.Notification{sent[0], sent[2]})
	is.Equal(r.Len(), 1)
	is.Equal(len(r.Take("share.viewed")), 0) // taken ones are forgotten
	is.Equal(r.Take("unknown.kind"), []notify.Notification(nil))
	is.Equal(r.Len(), 1)

	is.NoErr(r.Notify(ctx, sent[0]))
	is.Equal(r.Take(""), []notify.Notification{sent[1], sent[0]}) // "" takes all, oldest first
	is.Equal(r.Len(), 0)
}

func TestRecorderFail(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	refused := errors.New("mailbox full")
	r := notify.Recorder{Fail: func(n notify.Notification) error {
		if n.Kind == "share.viewed" {
			return refused
		}
		return nil
	}}
	err := r.Notify(ctx, notify.Notification{Kind: "share.viewed"})
	is.True(errors.Is(err, refused))
	is.NoErr(r.Notify(ctx, notify.Notification{Kind: "governance.digest"}))
	is.Equal(r.Len(), 1) // the failed one is not kept
	is.Equal(r.All()[0].Kind, "governance.digest")
}

func TestRecorderHonoursDoneContext(t *testing.T) {
	is := is.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var r notify.Recorder
	err := r.Notify(ctx, notify.Notification{Kind: "share.viewed"})
	is.True(errors.Is(err, context.Canceled))
	is.Equal(r.Len(), 0)
}

func TestRecorderConcurrentUse(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	var r notify.Recorder
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			kind := "a"
			if i%2 == 1 {
				kind = "b"
			}
			_ = r.Notify(ctx, notify.Notification{Kind: kind, Key: fmt.Sprint(i)})
			_ = r.Len()
			_ = r.All()
		})
	}
	wg.Wait()
	is.Equal(r.Len(), 50)
	is.Equal(len(r.Take("a")), 25)
	is.Equal(len(r.Take("b")), 25)
}
