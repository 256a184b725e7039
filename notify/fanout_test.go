package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/notify"
)

func TestFanOutDeliversToEveryone(t *testing.T) {
	is := is.New(t)
	var a, b notify.Recorder
	n := notify.Notification{To: "p1", Kind: "share.viewed", Subject: "Viewed", Key: "k1"}
	is.NoErr(notify.FanOut(&a, nil, &b).Notify(context.Background(), n))
	is.Equal(a.All(), []notify.Notification{n})
	is.Equal(b.All(), []notify.Notification{n})
}

func TestFanOutOfNothingSucceeds(t *testing.T) {
	is := is.New(t)
	is.NoErr(notify.FanOut().Notify(context.Background(), notify.Notification{}))
	is.NoErr(notify.FanOut(nil, nil).Notify(context.Background(), notify.Notification{}))
}

func TestFanOutJoinsFailures(t *testing.T) {
	is := is.New(t)
	errHook := errors.New("hook down")
	errMail := errors.New("mail down")
	var ok notify.Recorder
	failing := notify.Recorder{Fail: func(notify.Notification) error { return errMail }}
	fan := notify.FanOut(
		&ok,
		notify.Func(func(context.Context, notify.Notification) error { return errHook }),
		nil,
		&failing,
	)
	err := fan.Notify(context.Background(), notify.Notification{Kind: "share.viewed"})
	is.True(err != nil)
	is.True(errors.Is(err, errHook))
	is.True(errors.Is(err, errMail))
	msg := err.Error()
	is.True(strings.Contains(msg, "fan-out 1 (notify.Func): hook down"))
	is.True(strings.Contains(msg, "fan-out 3 (*notify.Recorder): mail down")) // the position counts the nil one
	is.True(!strings.Contains(msg, "fan-out 0"))
	is.Equal(ok.Len(), 1) // one failure does not stop the others
}

// TestFanOutIsConcurrent fails (by deadline) when the notifiers run one
// after the other: each waits until the other has started.
func TestFanOutIsConcurrent(t *testing.T) {
	is := is.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	aStarted, bStarted := make(chan struct{}), make(chan struct{})
	meet := func(mine, theirs chan struct{}) notify.Notifier {
		return notify.Func(func(ctx context.Context, _ notify.Notification) error {
			close(mine)
			select {
			case <-theirs:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}
	is.NoErr(notify.FanOut(meet(aStarted, bStarted), meet(bStarted, aStarted)).Notify(ctx, notify.Notification{}))
}

func TestFanOutWaitsForAll(t *testing.T) {
	is := is.New(t)
	fastDone := make(chan struct{})
	var slowFinished atomic.Bool
	fast := notify.Func(func(context.Context, notify.Notification) error {
		close(fastDone)
		return errors.New("fast failure")
	})
	slow := notify.Func(func(context.Context, notify.Notification) error {
		<-fastDone
		time.Sleep(time.Millisecond) // tiny: makes an early return observable
		slowFinished.Store(true)
		return nil
	})
	err := notify.FanOut(fast, slow).Notify(context.Background(), notify.Notification{})
	is.True(err != nil)
	is.True(slowFinished.Load())
}

func TestFanOutPassesContext(t *testing.T) {
	is := is.New(t)
	type keyType struct{}
	ctx := context.WithValue(context.Background(), keyType{}, "request-7")
	var seen atomic.Value
	is.NoErr(notify.FanOut(notify.Func(func(ctx context.Context, _ notify.Notification) error {
		seen.Store(ctx.Value(keyType{}))
		return nil
	})).Notify(ctx, notify.Notification{}))
	is.Equal(seen.Load(), "request-7")
}

func TestFilter(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	var digests notify.Recorder
	f := notify.Filter(&digests, notify.Kinds("governance.digest", "governance.expired"))
	for _, kind := range []string{"share.viewed", "governance.digest", "", "governance.expired", "governance"} {
		is.NoErr(f.Notify(ctx, notify.Notification{Kind: kind}))
	}
	got := digests.All()
	is.Equal(len(got), 2)
	is.Equal(got[0].Kind, "governance.digest")
	is.Equal(got[1].Kind, "governance.expired")

	// Kinds keeps its own copy of the kinds.
	kinds := []string{"share.viewed"}
	keep := notify.Kinds(kinds...)
	kinds[0] = "governance.digest"
	is.True(keep(notify.Notification{Kind: "share.viewed"}))
	is.True(!keep(notify.Notification{Kind: "governance.digest"}))

	// A dropped notification is not an error, even when the target would fail.
	failing := notify.Recorder{Fail: func(notify.Notification) error { return errors.New("down") }}
	f = notify.Filter(&failing, func(n notify.Notification) bool { return n.To != "" })
	is.NoErr(f.Notify(ctx, notify.Notification{}))
	is.True(f.Notify(ctx, notify.Notification{To: "p1"}) != nil)
}

func TestFilterPanicsOnNil(t *testing.T) {
	for name, call := range map[string]func(){
		"notifier": func() { notify.Filter(nil, notify.Kinds("a")) },
		"keep":     func() { notify.Filter(&notify.Recorder{}, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Filter did not panic")
				}
			}()
			call()
		})
	}
}
