package memstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/share"
)

// normSettings is the stored form of link settings: a deep copy in UTC,
// without the passcode, which is never stored.
func normSettings(s share.LinkSettings) share.LinkSettings {
	s = s.Clone()
	s.ExpiresAt = utc(s.ExpiresAt)
	s.Passcode = ""
	return s
}

// normShare is the stored form of a share: a deep copy in UTC, with its
// contributors sorted and unique.
func normShare(s share.Share) share.Share {
	s = s.Clone()
	s.Settings = normSettings(s.Settings)
	s.RevokedAt, s.CreatedAt, s.UpdatedAt = utc(s.RevokedAt), utc(s.CreatedAt), utc(s.UpdatedAt)
	for i := range s.Sections {
		for j := range s.Sections[i].Items {
			it := &s.Sections[i].Items[j]
			it.AddedAt = utc(it.AddedAt)
		}
	}
	slices.Sort(s.Contributors)
	s.Contributors = slices.Compact(s.Contributors)
	return s
}

// checkItemsOnce returns ErrConflict when an item appears twice in s.
func checkItemsOnce(s share.Share) error {
	seen := map[string]bool{}
	for _, id := range s.ItemIDs() {
		if seen[id] {
			return fmt.Errorf("item %s is in the share twice: %w", id, share.ErrConflict)
		}
		seen[id] = true
	}
	return nil
}

// CreateShare stores a new share.
func (s *Store) CreateShare(ctx context.Context, sh share.Share) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.shares[sh.ID]; ok {
			return fmt.Errorf("memstore: create share %s: %w", sh.ID, share.ErrConflict)
		}
		if err := checkItemsOnce(sh); err != nil {
			return fmt.Errorf("memstore: create share %s: %w", sh.ID, err)
		}
		st.shares[sh.ID] = normShare(sh)
		return nil
	})
}

// GetShare returns one share.
func (s *Store) GetShare(ctx context.Context, id string) (share.Share, error) {
	return query(ctx, s, func(st *state) (share.Share, error) {
		sh, ok := st.shares[id]
		if !ok {
			return share.Share{}, fmt.Errorf("memstore: get share %s: %w", id, share.ErrNotFound)
		}
		return sh.Clone(), nil
	})
}

// UpdateShare replaces a share, keeping CreatedAt, OwnerID and Kind.
func (s *Store) UpdateShare(ctx context.Context, sh share.Share) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.shares[sh.ID]
		if !ok {
			return fmt.Errorf("memstore: update share %s: %w", sh.ID, share.ErrNotFound)
		}
		if err := checkItemsOnce(sh); err != nil {
			return fmt.Errorf("memstore: update share %s: %w", sh.ID, err)
		}
		sh = normShare(sh)
		sh.CreatedAt, sh.OwnerID, sh.Kind = old.CreatedAt, old.OwnerID, old.Kind
		st.shares[sh.ID] = sh
		return nil
	})
}

// ListShares returns the shares matching f, highest ID first.
func (s *Store) ListShares(ctx context.Context, f share.ShareFilter) ([]share.Share, error) {
	return query(ctx, s, func(st *state) ([]share.Share, error) {
		limit := f.Limit
		if limit <= 0 {
			limit = 100
		}
		var out []share.Share
		holds := func(sh share.Share) bool {
			_, ok := sh.Item(f.ItemID)
			return ok
		}
		for _, sh := range st.shares {
			switch {
			case f.Kind != "" && sh.Kind != f.Kind,
				f.Member != "" && sh.OwnerID != f.Member && !slices.Contains(sh.Contributors, f.Member),
				f.ItemID != "" && !holds(sh),
				!f.LiveAt.IsZero() && !st.liveAt(sh, f),
				f.BeforeID != "" && sh.ID >= f.BeforeID:
				continue
			}
			out = append(out, sh)
		}
		slices.SortFunc(out, func(a, b share.Share) int { return strings.Compare(b.ID, a.ID) })
		if len(out) > limit {
			out = out[:limit]
		}
		for i := range out {
			out[i] = out[i].Clone()
		}
		return out, nil
	})
}

// liveAt reports whether sh is not revoked and has a link neither revoked
// nor expired at f.LiveAt.
func (st *state) liveAt(sh share.Share, f share.ShareFilter) bool {
	if !sh.RevokedAt.IsZero() {
		return false
	}
	for _, l := range st.links {
		if l.ShareID == sh.ID && l.RevokedAt.IsZero() &&
			(l.Settings.ExpiresAt.IsZero() || l.Settings.ExpiresAt.After(f.LiveAt)) {
			return true
		}
	}
	return false
}

func normLink(l share.Link) share.Link {
	l.Settings = normSettings(l.Settings)
	l.RevokedAt, l.CreatedAt, l.LockedUntil = utc(l.RevokedAt), utc(l.CreatedAt), utc(l.LockedUntil)
	return l
}

// CreateLink stores a new link.
func (s *Store) CreateLink(ctx context.Context, l share.Link) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.links[l.ID]; ok {
			return fmt.Errorf("memstore: create link %s: %w", l.ID, share.ErrConflict)
		}
		if _, ok := st.linkHashes[l.TokenHash]; ok {
			return fmt.Errorf("memstore: create link %s: token hash taken: %w", l.ID, share.ErrConflict)
		}
		if _, ok := st.shares[l.ShareID]; !ok {
			return fmt.Errorf("memstore: create link %s: share %s: %w", l.ID, l.ShareID, share.ErrNotFound)
		}
		st.links[l.ID] = normLink(l)
		st.linkHashes[l.TokenHash] = l.ID
		return nil
	})
}

// GetLink returns one link.
func (s *Store) GetLink(ctx context.Context, id string) (share.Link, error) {
	return query(ctx, s, func(st *state) (share.Link, error) {
		l, ok := st.links[id]
		if !ok {
			return share.Link{}, fmt.Errorf("memstore: get link %s: %w", id, share.ErrNotFound)
		}
		l.Settings = l.Settings.Clone()
		return l, nil
	})
}

// GetLinkByTokenHash returns the link whose token has this hash.
func (s *Store) GetLinkByTokenHash(ctx context.Context, hash string) (share.Link, error) {
	return query(ctx, s, func(st *state) (share.Link, error) {
		id, ok := st.linkHashes[hash]
		if !ok {
			return share.Link{}, fmt.Errorf("memstore: link by token hash: %w", share.ErrNotFound)
		}
		l := st.links[id]
		l.Settings = l.Settings.Clone()
		return l, nil
	})
}

// ListLinks returns a share's links, oldest first.
func (s *Store) ListLinks(ctx context.Context, shareID string) ([]share.Link, error) {
	return query(ctx, s, func(st *state) ([]share.Link, error) {
		var out []share.Link
		for _, l := range st.links {
			if l.ShareID == shareID {
				l.Settings = l.Settings.Clone()
				out = append(out, l)
			}
		}
		slices.SortFunc(out, func(a, b share.Link) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	})
}

// UpdateLink replaces a link's settings, passcode hash, revocation, failed
// attempts and lock-out.
func (s *Store) UpdateLink(ctx context.Context, l share.Link) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.links[l.ID]
		if !ok {
			return fmt.Errorf("memstore: update link %s: %w", l.ID, share.ErrNotFound)
		}
		l = normLink(l)
		old.Settings, old.PasscodeHash, old.RevokedAt = l.Settings, l.PasscodeHash, l.RevokedAt
		old.FailedAttempts, old.LockedUntil = l.FailedAttempts, l.LockedUntil
		st.links[l.ID] = old
		return nil
	})
}

// PutGateCode stores the code for (LinkID, Email), replacing any earlier
// one.
func (s *Store) PutGateCode(ctx context.Context, c share.GateCode) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.links[c.LinkID]; !ok {
			return fmt.Errorf("memstore: put gate code on %s: %w", c.LinkID, share.ErrNotFound)
		}
		c.ExpiresAt, c.CreatedAt = utc(c.ExpiresAt), utc(c.CreatedAt)
		st.gateCodes[gateKey{c.LinkID, c.Email}] = c
		return nil
	})
}

// GetGateCode returns the code for (linkID, email).
func (s *Store) GetGateCode(ctx context.Context, linkID, email string) (share.GateCode, error) {
	return query(ctx, s, func(st *state) (share.GateCode, error) {
		c, ok := st.gateCodes[gateKey{linkID, email}]
		if !ok {
			return share.GateCode{}, fmt.Errorf("memstore: gate code for %s on %s: %w", email, linkID, share.ErrNotFound)
		}
		return c, nil
	})
}

// DeleteGateCode removes the code for (linkID, email).
func (s *Store) DeleteGateCode(ctx context.Context, linkID, email string) error {
	return s.write(ctx, func(st *state) error {
		k := gateKey{linkID, email}
		if _, ok := st.gateCodes[k]; !ok {
			return fmt.Errorf("memstore: delete gate code for %s on %s: %w", email, linkID, share.ErrNotFound)
		}
		delete(st.gateCodes, k)
		return nil
	})
}

func normView(v share.View) share.View {
	v.StartedAt, v.LastBeaconAt, v.NotifiedAt = utc(v.StartedAt), utc(v.LastBeaconAt), utc(v.NotifiedAt)
	return v
}

// CreateView stores a new view under its link's share.
func (s *Store) CreateView(ctx context.Context, v share.View) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.views[v.ID]; ok {
			return fmt.Errorf("memstore: create view %s: %w", v.ID, share.ErrConflict)
		}
		l, ok := st.links[v.LinkID]
		if !ok {
			return fmt.Errorf("memstore: create view %s: link %s: %w", v.ID, v.LinkID, share.ErrNotFound)
		}
		v = normView(v)
		v.ShareID = l.ShareID
		st.views[v.ID] = v
		return nil
	})
}

// GetView returns one view. Inside Atomic the transaction holds the
// store's write lock, so nothing else changes the view before commit.
func (s *Store) GetView(ctx context.Context, id string) (share.View, error) {
	return query(ctx, s, func(st *state) (share.View, error) {
		v, ok := st.views[id]
		if !ok {
			return share.View{}, fmt.Errorf("memstore: get view %s: %w", id, share.ErrNotFound)
		}
		return v, nil
	})
}

// UpdateView replaces a view's mutable fields.
func (s *Store) UpdateView(ctx context.Context, v share.View) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.views[v.ID]
		if !ok {
			return fmt.Errorf("memstore: update view %s: %w", v.ID, share.ErrNotFound)
		}
		v = normView(v)
		old.Recipient, old.SuspectedBot, old.BotReason = v.Recipient, v.SuspectedBot, v.BotReason
		old.LastBeaconAt, old.Beacons, old.ActiveMS, old.NotifiedAt = v.LastBeaconAt, v.Beacons, v.ActiveMS, v.NotifiedAt
		st.views[v.ID] = old
		return nil
	})
}

// GetViews returns the views with these IDs in the order given, leaving
// out the missing ones.
func (s *Store) GetViews(ctx context.Context, ids []string) ([]share.View, error) {
	return query(ctx, s, func(st *state) ([]share.View, error) {
		var out []share.View
		for _, id := range ids {
			if v, ok := st.views[id]; ok {
				out = append(out, v)
			}
		}
		return out, nil
	})
}

// UpdateViews replaces the mutable fields of several views, or of none
// when one is missing.
func (s *Store) UpdateViews(ctx context.Context, vs []share.View) error {
	return s.write(ctx, func(st *state) error {
		for _, v := range vs {
			if _, ok := st.views[v.ID]; !ok {
				return fmt.Errorf("memstore: update view %s: %w", v.ID, share.ErrNotFound)
			}
		}
		for _, v := range vs {
			old := st.views[v.ID]
			v = normView(v)
			old.Recipient, old.SuspectedBot, old.BotReason = v.Recipient, v.SuspectedBot, v.BotReason
			old.LastBeaconAt, old.Beacons, old.ActiveMS, old.NotifiedAt = v.LastBeaconAt, v.Beacons, v.ActiveMS, v.NotifiedAt
			st.views[v.ID] = old
		}
		return nil
	})
}

// ListViews returns the views matching f, oldest first.
func (s *Store) ListViews(ctx context.Context, f share.ViewFilter) ([]share.View, error) {
	if f.ShareID == "" && f.LinkID == "" && f.NoBeaconBefore.IsZero() {
		return nil, fmt.Errorf("memstore: list views: no ShareID, LinkID or NoBeaconBefore: %w", share.ErrInvalid)
	}
	return query(ctx, s, func(st *state) ([]share.View, error) {
		limit := f.Limit
		if limit <= 0 {
			limit = 1000
		}
		var out []share.View
		for _, v := range st.views {
			switch {
			case f.ShareID != "" && v.ShareID != f.ShareID,
				f.LinkID != "" && v.LinkID != f.LinkID,
				!f.NoBeaconBefore.IsZero() && (v.Beacons != 0 || v.SuspectedBot || !v.StartedAt.Before(f.NoBeaconBefore)):
				continue
			}
			out = append(out, v)
		}
		slices.SortFunc(out, func(a, b share.View) int {
			return cmp.Or(a.StartedAt.Compare(b.StartedAt), strings.Compare(a.ID, b.ID))
		})
		if len(out) > limit {
			out = out[:limit]
		}
		return out, nil
	})
}

// checkViews returns ErrNotFound for the first view in ids that does not
// exist.
func (st *state) checkViews(n int, viewID func(i int) string) error {
	for i := range n {
		if _, ok := st.views[viewID(i)]; !ok {
			return fmt.Errorf("view %s: %w", viewID(i), share.ErrNotFound)
		}
	}
	return nil
}

// AddPageEvents stores the events whose (ViewID, Seq) is new.
func (s *Store) AddPageEvents(ctx context.Context, evs []share.PageEvent) ([]bool, error) {
	stored := make([]bool, len(evs))
	err := s.write(ctx, func(st *state) error {
		if err := st.checkViews(len(evs), func(i int) string { return evs[i].ViewID }); err != nil {
			return fmt.Errorf("memstore: add page events: %w", err)
		}
		fresh := map[string]bool{} // views whose slice this call already copied
		for i, ev := range evs {
			list := st.pageEvents[ev.ViewID]
			at, found := slices.BinarySearchFunc(list, ev.Seq, func(e share.PageEvent, seq int64) int {
				return cmp.Compare(e.Seq, seq)
			})
			if found {
				continue
			}
			if !fresh[ev.ViewID] {
				list = slices.Clone(list)
				fresh[ev.ViewID] = true
			}
			ev.At = utc(ev.At)
			st.pageEvents[ev.ViewID] = slices.Insert(list, at, ev)
			stored[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// AddPageStats adds each stat onto the stored one with the same key.
func (s *Store) AddPageStats(ctx context.Context, stats []share.PageStat) error {
	return s.write(ctx, func(st *state) error {
		if err := st.checkViews(len(stats), func(i int) string { return stats[i].ViewID }); err != nil {
			return fmt.Errorf("memstore: add page stats: %w", err)
		}
		for _, ps := range stats {
			ps.FirstAt, ps.LastAt = utc(ps.FirstAt), utc(ps.LastAt)
			k := pageStatKey{ps.ViewID, ps.ItemID, ps.Page}
			if old, ok := st.pageStats[k]; ok {
				ps.ActiveMS += old.ActiveMS
				ps.Beacons += old.Beacons
				if ps.FirstAt.IsZero() || (!old.FirstAt.IsZero() && old.FirstAt.Before(ps.FirstAt)) {
					ps.FirstAt = old.FirstAt
				}
				if ps.LastAt.IsZero() || old.LastAt.After(ps.LastAt) {
					ps.LastAt = old.LastAt
				}
			}
			st.pageStats[k] = ps
		}
		return nil
	})
}

// ListPageStats returns the stats of a share's views by view, item and
// page.
func (s *Store) ListPageStats(ctx context.Context, shareID string) ([]share.PageStat, error) {
	return query(ctx, s, func(st *state) ([]share.PageStat, error) {
		var out []share.PageStat
		for k, ps := range st.pageStats {
			if st.views[k.viewID].ShareID == shareID {
				out = append(out, ps)
			}
		}
		slices.SortFunc(out, func(a, b share.PageStat) int {
			return cmp.Or(strings.Compare(a.ViewID, b.ViewID), strings.Compare(a.ItemID, b.ItemID), cmp.Compare(a.Page, b.Page))
		})
		return out, nil
	})
}

// ListPageEvents returns a view's page events in Seq order.
func (s *Store) ListPageEvents(ctx context.Context, viewID string) ([]share.PageEvent, error) {
	return query(ctx, s, func(st *state) ([]share.PageEvent, error) {
		return slices.Clone(st.pageEvents[viewID]), nil
	})
}

// AddEvent appends an event with the next Seq.
func (s *Store) AddEvent(ctx context.Context, e share.Event) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.shares[e.ShareID]; !ok {
			return fmt.Errorf("memstore: add %s event: share %s: %w", e.Type, e.ShareID, share.ErrNotFound)
		}
		st.shareSeq++
		e.Seq = st.shareSeq
		e.At = utc(e.At)
		st.shareEvents = append(st.shareEvents, e)
		return nil
	})
}

// ListEvents returns a share's events in Seq order.
func (s *Store) ListEvents(ctx context.Context, shareID string) ([]share.Event, error) {
	return query(ctx, s, func(st *state) ([]share.Event, error) {
		var out []share.Event
		for _, e := range st.shareEvents {
			if e.ShareID == shareID {
				out = append(out, e)
			}
		}
		return out, nil
	})
}

// Secret returns the secret under name, storing a copy of value there
// first when there is none.
func (s *Store) Secret(ctx context.Context, name string, value []byte) ([]byte, error) {
	var out []byte
	err := s.write(ctx, func(st *state) error {
		v, ok := st.secrets[name]
		if !ok {
			v = bytes.Clone(value)
			if v == nil {
				v = []byte{}
			}
			st.secrets[name] = v
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}
