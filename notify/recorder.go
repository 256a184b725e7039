package notify

import (
	"context"
	"slices"
	"sync"
)

// Recorder is a Notifier that keeps every notification it is given, for
// tests. The zero value is ready to use; a Recorder is safe for concurrent
// use and must not be copied after first use.
type Recorder struct {
	// Fail, when set, is called with each notification before it is kept;
	// when it returns an error, Notify returns that error and does not
	// keep the notification. Use it to make chosen notifications fail.
	// Set it before the first call to Notify.
	Fail func(Notification) error

	mu   sync.Mutex
	kept []Notification
}

var _ Notifier = (*Recorder)(nil)

// Notify keeps n. It returns ctx's error without keeping n when ctx is
// already done, and Fail's error when Fail refuses n.
func (r *Recorder) Notify(ctx context.Context, n Notification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.Fail != nil {
		if err := r.Fail(n); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kept = append(r.kept, n)
	return nil
}

// All returns a copy of the kept notifications, oldest first.
func (r *Recorder) All() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.kept)
}

// Take returns the kept notifications of the given kind, oldest first, and
// forgets them; kind "" takes them all.
func (r *Recorder) Take(kind string) []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	var taken, rest []Notification
	for _, n := range r.kept {
		if kind == "" || n.Kind == kind {
			taken = append(taken, n)
		} else {
			rest = append(rest, n)
		}
	}
	r.kept = rest
	return taken
}

// Len returns how many notifications are kept.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.kept)
}
