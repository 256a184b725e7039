package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// FanOut returns a Notifier that delivers each notification to every one of
// ns concurrently and waits for all of them. It returns nil when all
// succeed, and otherwise errors.Join of the failures, each wrapped with the
// failing notifier's position in ns and its type, so errors.Is and
// errors.As see every one. Nil notifiers are skipped; FanOut() delivers
// nowhere and always succeeds.
//
// A failure in one notifier does not stop the others: a caller that
// retries resends to all of them, with the same Key.
func FanOut(ns ...Notifier) Notifier {
	f := make(fanOut, 0, len(ns))
	for i, n := range ns {
		if n != nil {
			f = append(f, member{index: i, n: n})
		}
	}
	return f
}

type member struct {
	index int // in FanOut's arguments, nil ones counted
	n     Notifier
}

type fanOut []member

func (f fanOut) Notify(ctx context.Context, n Notification) error {
	errs := make([]error, len(f))
	var wg sync.WaitGroup
	for i, m := range f {
		wg.Go(func() {
			if err := m.n.Notify(ctx, n); err != nil {
				errs[i] = fmt.Errorf("notify: fan-out %d (%T): %w", m.index, m.n, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Filter returns a Notifier that delivers to n only the notifications keep
// accepts, and drops the others, returning nil for them. For example, to
// send only governance digests to a webhook:
//
//	notify.Filter(hook, notify.Kinds("governance.digest"))
//
// Filter panics if n or keep is nil.
func Filter(n Notifier, keep func(Notification) bool) Notifier {
	if n == nil || keep == nil {
		panic("notify: Filter needs a notifier and a keep function")
	}
	return filter{n: n, keep: keep}
}

type filter struct {
	n    Notifier
	keep func(Notification) bool
}

func (f filter) Notify(ctx context.Context, n Notification) error {
	if !f.keep(n) {
		return nil
	}
	return f.n.Notify(ctx, n)
}

// Kinds returns a keep function for Filter that accepts the notifications
// whose Kind is one of kinds.
func Kinds(kinds ...string) func(Notification) bool {
	kinds = slices.Clone(kinds)
	return func(n Notification) bool { return slices.Contains(kinds, n.Kind) }
}
