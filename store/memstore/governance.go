package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
)

// DueItems returns the items whose SweepAt is zero or not after now, by
// SweepAt then ID (one order the contract allows), at most limit (zero: 1000), without placements or
// lists.
func (s *Store) DueItems(ctx context.Context, now time.Time, limit int) ([]items.Item, error) {
	return query(ctx, s, func(st *state) ([]items.Item, error) {
		if limit <= 0 {
			limit = 1000
		}
		out := []items.Item{}
		for _, it := range st.items {
			if !it.SweepAt.After(now) {
				out = append(out, it)
			}
		}
		slices.SortFunc(out, func(a, b items.Item) int {
			return cmp.Or(a.SweepAt.Compare(b.SweepAt), strings.Compare(a.ID, b.ID))
		})
		out = out[:min(limit, len(out))]
		for i := range out {
			out[i] = out[i].Clone()
		}
		return out, nil
	})
}

// SetSweepAt sets SweepAt on the items that exist; it changes nothing else
// and records no change.
func (s *Store) SetSweepAt(ctx context.Context, at map[string]time.Time) error {
	return s.write(ctx, func(st *state) error {
		for id, t := range at {
			if it, ok := st.items[id]; ok {
				it.SweepAt = utc(t)
				st.items[id] = it
			}
		}
		return nil
	})
}

// ResetSweep sets SweepAt to zero on every item homed in spotID and
// returns how many there are.
func (s *Store) ResetSweep(ctx context.Context, spotID string) (int, error) {
	var n int
	err := s.write(ctx, func(st *state) error {
		for id, it := range st.items {
			if it.SpotID == spotID {
				it.SweepAt = time.Time{}
				st.items[id] = it
				n++
			}
		}
		return nil
	})
	return n, err
}

// normNotice is the stored form of a notice: its times in UTC, to the
// microsecond.
func normNotice(n governance.Notice) governance.Notice {
	for _, t := range []*time.Time{&n.Due, &n.CreatedAt, &n.SentAt, &n.NextAttemptAt} {
		*t = utc(*t)
	}
	return n
}

// AddNotices stores the notices whose Key is new, the first of a Key
// repeated within ns, and returns them in order. An ID that exists under
// another Key refuses the whole batch.
func (s *Store) AddNotices(ctx context.Context, ns []governance.Notice) ([]governance.Notice, error) {
	out := []governance.Notice{}
	err := s.write(ctx, func(st *state) error {
		keys := map[string]bool{}
		ids := map[string]bool{}
		for _, n := range ns {
			if _, ok := st.noticeKeys[n.Key]; ok || keys[n.Key] {
				continue
			}
			if _, ok := st.notices[n.ID]; ok || ids[n.ID] {
				return fmt.Errorf("memstore: add notices: notice %s: the ID exists with another key", n.ID)
			}
			keys[n.Key], ids[n.ID] = true, true
			out = append(out, normNotice(n))
		}
		for _, n := range out {
			st.notices[n.ID] = n
			st.noticeKeys[n.Key] = n.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PendingNotices returns the unsent notices that may be tried at now, by
// Recipient, Digest, CreatedAt, ID.
func (s *Store) PendingNotices(ctx context.Context, now time.Time, maxAttempts, limit int) ([]governance.Notice, error) {
	return query(ctx, s, func(st *state) ([]governance.Notice, error) {
		return st.pendingNotices(now, maxAttempts, limit), nil
	})
}

func (st *state) pendingNotices(now time.Time, maxAttempts, limit int) []governance.Notice {
	if limit <= 0 {
		limit = 1000
	}
	out := []governance.Notice{}
	for _, n := range st.notices {
		if n.SentAt.IsZero() && n.Attempts < maxAttempts && !n.NextAttemptAt.After(now) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b governance.Notice) int {
		return cmp.Or(strings.Compare(a.Recipient, b.Recipient), strings.Compare(a.Digest, b.Digest),
			a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out[:min(limit, len(out))]
}

// ClaimNotices returns what PendingNotices would and sets their
// NextAttemptAt to until, under the write lock.
func (s *Store) ClaimNotices(ctx context.Context, now, until time.Time, maxAttempts, limit int) ([]governance.Notice, error) {
	var out []governance.Notice
	err := s.write(ctx, func(st *state) error {
		out = st.pendingNotices(now, maxAttempts, limit)
		for i := range out {
			out[i].NextAttemptAt = utc(until)
			st.notices[out[i].ID] = out[i]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkNoticesSent sets SentAt on the notices with these IDs.
func (s *Store) MarkNoticesSent(ctx context.Context, ids []string, at time.Time) error {
	return s.write(ctx, func(st *state) error {
		for _, id := range ids {
			if n, ok := st.notices[id]; ok {
				n.SentAt = utc(at)
				st.notices[id] = n
			}
		}
		return nil
	})
}

// MarkNoticesFailed counts one failed attempt on each unsent notice with
// one of these IDs, however often the ID is repeated.
func (s *Store) MarkNoticesFailed(ctx context.Context, ids []string, next time.Time, lastErr string) error {
	return s.write(ctx, func(st *state) error {
		done := map[string]bool{}
		for _, id := range ids {
			n, ok := st.notices[id]
			if !ok || !n.SentAt.IsZero() || done[id] {
				continue
			}
			done[id] = true
			n.Attempts++
			n.NextAttemptAt, n.LastError = utc(next), lastErr
			st.notices[id] = n
		}
		return nil
	})
}

// ListNotices returns the notices matching f newest first (CreatedAt,
// then ID, descending), older than f.Before when set, at most f.Limit
// (zero: 1000).
func (s *Store) ListNotices(ctx context.Context, f governance.NoticeFilter) ([]governance.Notice, error) {
	return query(ctx, s, func(st *state) ([]governance.Notice, error) {
		limit := f.Limit
		if limit <= 0 {
			limit = 1000
		}
		newestFirst := func(a, b governance.Notice) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
		}
		cursor, ok := st.notices[f.Before]
		if f.Before != "" && !ok {
			return []governance.Notice{}, nil
		}
		out := []governance.Notice{}
		for _, n := range st.notices {
			if (f.Recipient == "" || n.Recipient == f.Recipient) && (f.ItemID == "" || n.ItemID == f.ItemID) &&
				(!f.Unsent || n.SentAt.IsZero()) && (f.Before == "" || newestFirst(cursor, n) < 0) {
				out = append(out, n)
			}
		}
		slices.SortFunc(out, newestFirst)
		return out[:min(limit, len(out))], nil
	})
}
