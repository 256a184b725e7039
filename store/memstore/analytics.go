package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
)

var _ analytics.Store = (*Store)(nil)

// Roll-up keys, as the analytics types document them.
type (
	itemDayKey struct {
		itemID string
		day    analytics.Day
		bot    bool
	}
	viewerKey struct {
		itemID string
		day    analytics.Day
		viewer string
	}
	visitPageKey struct {
		viewID, itemID string
		page           int
	}
	recipientKey struct {
		shareID, recipient string
		bot                bool
	}
	queryDayKey struct {
		query string
		day   analytics.Day
	}
	actorDayKey struct {
		actor string
		day   analytics.Day
		typ   analytics.EventType
	}
)

// validDay reports whether d is a well-formed day, "2006-01-02".
func validDay(d analytics.Day) bool {
	t, err := time.Parse(time.DateOnly, string(d))
	return err == nil && analytics.DayOf(t) == d
}

// checkRollups refuses malformed deltas before anything is written.
func checkRollups(r analytics.Rollups) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{analytics.ErrInvalid}, args...)...)
	}
	for _, d := range r.ItemDays {
		if d.ItemID == "" || !validDay(d.Day) {
			return bad("item day %q of %q: want an item ID and a day", d.Day, d.ItemID)
		}
	}
	for _, v := range r.Viewers {
		if v.ItemID == "" || v.Viewer == "" || !validDay(v.Day) {
			return bad("viewer %q of %q on %q: want an item ID, a viewer and a day", v.Viewer, v.ItemID, v.Day)
		}
	}
	for _, v := range r.VisitPages {
		if v.ItemID == "" || !validDay(v.Day) {
			return bad("visit page %q of %q on %q: want an item ID and a day", v.ViewID, v.ItemID, v.Day)
		}
	}
	for _, q := range r.Queries {
		if q.Query == "" || !validDay(q.Day) {
			return bad("query day %q of %q: want a query and a day", q.Day, q.Query)
		}
	}
	for _, a := range r.Actors {
		if a.Actor == "" || !validDay(a.Day) {
			return bad("actor day %q of %q: want an actor and a day", a.Day, a.Actor)
		}
	}
	return nil
}

// addItemDay adds d's numbers onto sum.
func addItemDay(sum *analytics.ItemDay, d analytics.ItemDay) {
	sum.Views += d.Views
	sum.Downloads += d.Downloads
	sum.Bookmarks += d.Bookmarks
	sum.Pitches += d.Pitches
	sum.PageViews += d.PageViews
	sum.ActiveMS += d.ActiveMS
	sum.ExternalDownloads += d.ExternalDownloads
	sum.ExternalClicks += d.ExternalClicks
	sum.Score += d.Score
}

// earliest and latest treat the zero time as unset.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

// addRollups adds checked deltas. A row keeps the non-key fields of the
// delta that created it, but for VisitPage.Day (the earliest) and
// RecipientTotal's FirstAt and LastAt.
func (st *state) addRollups(r analytics.Rollups) {
	for _, d := range r.ItemDays {
		k := itemDayKey{d.ItemID, d.Day, d.Bot}
		row, ok := st.itemDays[k]
		if !ok {
			row = analytics.ItemDay{ItemID: d.ItemID, SpotID: d.SpotID, Day: d.Day, Bot: d.Bot}
		}
		addItemDay(&row, d)
		st.itemDays[k] = row
	}
	for _, v := range r.Viewers {
		k := viewerKey{v.ItemID, v.Day, v.Viewer}
		if _, ok := st.viewers[k]; !ok {
			st.viewers[k] = v
		}
	}
	for _, v := range r.VisitPages {
		k := visitPageKey{v.ViewID, v.ItemID, v.Page}
		row, ok := st.visitPages[k]
		if !ok {
			row = v
			row.ActiveMS = 0
		}
		row.Day = min(row.Day, v.Day)
		row.ActiveMS += v.ActiveMS
		st.visitPages[k] = row
	}
	for _, t := range r.Recipients {
		k := recipientKey{t.ShareID, t.Recipient, t.Bot}
		row, ok := st.recipients[k]
		if !ok {
			row = analytics.RecipientTotal{ShareID: t.ShareID, ShareOwner: t.ShareOwner, Recipient: t.Recipient, Bot: t.Bot}
		}
		row.Opens += t.Opens
		row.PageViews += t.PageViews
		row.ActiveMS += t.ActiveMS
		row.Downloads += t.Downloads
		row.Clicks += t.Clicks
		row.FirstAt = earliest(row.FirstAt, utc(t.FirstAt))
		row.LastAt = latest(row.LastAt, utc(t.LastAt))
		st.recipients[k] = row
	}
	for _, q := range r.Queries {
		k := queryDayKey{q.Query, q.Day}
		row := st.queryDays[k]
		row.Query, row.Day = q.Query, q.Day
		row.Searches += q.Searches
		row.ZeroHits += q.ZeroHits
		row.HitsTotal += q.HitsTotal
		st.queryDays[k] = row
	}
	for _, a := range r.Actors {
		k := actorDayKey{a.Actor, a.Day, a.Type}
		row := st.actorDays[k]
		row.Actor, row.Day, row.Type = a.Actor, a.Day, a.Type
		row.Count += a.Count
		st.actorDays[k] = row
	}
}

// Append stores events with increasing IDs and adds their deltas, all or
// nothing: everything is checked before anything is written.
func (s *Store) Append(ctx context.Context, evs []analytics.Event, r analytics.Rollups) error {
	return s.write(ctx, func(st *state) error {
		for i, ev := range evs {
			if ev.At.IsZero() {
				return fmt.Errorf("memstore: append: event %d has no time: %w", i, analytics.ErrInvalid)
			}
		}
		if err := checkRollups(r); err != nil {
			return fmt.Errorf("memstore: append: %w", err)
		}
		for _, ev := range evs {
			st.eventSeq++
			ev.ID, ev.At = st.eventSeq, utc(ev.At)
			st.events = append(st.events, ev)
		}
		st.addRollups(r)
		return nil
	})
}

// AddRollups adds deltas, all or nothing.
func (s *Store) AddRollups(ctx context.Context, r analytics.Rollups) error {
	return s.write(ctx, func(st *state) error {
		if err := checkRollups(r); err != nil {
			return fmt.Errorf("memstore: add roll-ups: %w", err)
		}
		st.addRollups(r)
		return nil
	})
}

// ResetRollups deletes every roll-up row.
func (s *Store) ResetRollups(ctx context.Context) error {
	return s.write(ctx, func(st *state) error {
		st.itemDays = map[itemDayKey]analytics.ItemDay{}
		st.viewers = map[viewerKey]analytics.ItemViewer{}
		st.visitPages = map[visitPageKey]analytics.VisitPage{}
		st.recipients = map[recipientKey]analytics.RecipientTotal{}
		st.queryDays = map[queryDayKey]analytics.QueryDay{}
		st.actorDays = map[actorDayKey]analytics.ActorDay{}
		return nil
	})
}

// Events returns the events after f.AfterID (of f.Recipient), in ID order.
func (s *Store) Events(ctx context.Context, f analytics.EventFilter) ([]analytics.Event, error) {
	return query(ctx, s, func(st *state) ([]analytics.Event, error) {
		limit := f.Limit
		if limit <= 0 {
			limit = 1000
		}
		i, _ := slices.BinarySearchFunc(st.events, f.AfterID+1, func(e analytics.Event, id int64) int {
			return cmp.Compare(e.ID, id)
		})
		var out []analytics.Event
		for _, ev := range st.events[i:] {
			if len(out) == limit {
				break
			}
			if f.Recipient == "" || ev.Recipient == f.Recipient {
				out = append(out, ev)
			}
		}
		return out, nil
	})
}

// DeleteEvents deletes the events with At before before.
func (s *Store) DeleteEvents(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, fmt.Errorf("memstore: delete events: no time: %w", analytics.ErrInvalid)
	}
	var n int64
	err := s.write(ctx, func(st *state) error {
		kept := make([]analytics.Event, 0, len(st.events))
		for _, ev := range st.events {
			if ev.At.Before(before) {
				n++
				continue
			}
			kept = append(kept, ev)
		}
		st.events = kept
		return nil
	})
	return n, err
}

// EraseRecipient deletes the events, visit pages and recipient totals of
// email.
func (s *Store) EraseRecipient(ctx context.Context, email string, subtract analytics.Rollups) (int64, error) {
	if email == "" {
		return 0, fmt.Errorf("memstore: erase recipient: no address: %w", analytics.ErrInvalid)
	}
	if err := checkRollups(subtract); err != nil {
		return 0, fmt.Errorf("memstore: erase recipient: %w", err)
	}
	var n int64
	err := s.write(ctx, func(st *state) error {
		st.addRollups(subtract)
		kept := make([]analytics.Event, 0, len(st.events))
		for _, ev := range st.events {
			if ev.Recipient == email {
				n++
				continue
			}
			kept = append(kept, ev)
		}
		st.events = kept
		for k, v := range st.visitPages {
			if v.Recipient == email {
				n++
				delete(st.visitPages, k)
			}
		}
		for k := range st.recipients {
			if k.recipient == email {
				n++
				delete(st.recipients, k)
			}
		}
		return nil
	})
	return n, err
}

// rowFilter is an analytics.Filter ready to match rows.
type rowFilter struct {
	f                      analytics.Filter
	spots, items, shares   map[string]bool
	owners                 map[string]bool
	filterItems, allSpots  bool
	filterShares, byOwners bool
}

func newRowFilter(f analytics.Filter) (rowFilter, error) {
	for _, d := range []analytics.Day{f.From, f.To} {
		if d != "" && !validDay(d) {
			return rowFilter{}, fmt.Errorf("day %q: %w", d, analytics.ErrInvalid)
		}
	}
	set := func(ids []string) map[string]bool {
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	return rowFilter{f: f, spots: set(f.SpotIDs), items: set(f.ItemIDs), shares: set(f.ShareIDs), owners: set(f.Owners),
		allSpots: f.AllSpots, filterItems: len(f.ItemIDs) > 0, filterShares: len(f.ShareIDs) > 0,
		byOwners: len(f.Owners) > 0}, nil
}

// row matches a row's day, spot, item and bot flag.
func (m rowFilter) row(d analytics.Day, spotID, itemID string, bot bool) bool {
	return (m.f.From == "" || d >= m.f.From) && (m.f.To == "" || d <= m.f.To) &&
		(m.allSpots || m.spots[spotID]) && (!m.filterItems || m.items[itemID]) && (!bot || m.f.IncludeBots)
}

func limited[T any](out []T, limit int) []T {
	if limit > 0 && len(out) > limit {
		return out[:limit]
	}
	return out
}

// later reports whether a row of day d and spot should give an aggregate
// its Day and SpotID instead of the current ones: the latest day wins.
func later(d analytics.Day, spotID string, cur analytics.ItemDay) bool {
	return d > cur.Day || (d == cur.Day && spotID > cur.SpotID)
}

// SumItems sums ItemDay rows per item, with viewers and visits.
func (s *Store) SumItems(ctx context.Context, f analytics.Filter) ([]analytics.ItemSum, error) {
	return query(ctx, s, func(st *state) ([]analytics.ItemSum, error) {
		m, err := newRowFilter(f)
		if err != nil {
			return nil, fmt.Errorf("memstore: sum items: %w", err)
		}
		sums := map[string]*analytics.ItemSum{}
		for _, d := range st.itemDays {
			if !m.row(d.Day, d.SpotID, d.ItemID, d.Bot) {
				continue
			}
			sum := sums[d.ItemID]
			if sum == nil {
				sum = &analytics.ItemSum{ItemDay: analytics.ItemDay{ItemID: d.ItemID}}
				sums[d.ItemID] = sum
			}
			addItemDay(&sum.ItemDay, d)
			if later(d.Day, d.SpotID, sum.ItemDay) {
				sum.Day, sum.SpotID = d.Day, d.SpotID
			}
		}
		viewers := map[[2]string]bool{}
		for k, v := range st.viewers {
			if sum := sums[k.itemID]; sum != nil && m.row(k.day, v.SpotID, k.itemID, false) && !viewers[[2]string{k.itemID, k.viewer}] {
				viewers[[2]string{k.itemID, k.viewer}] = true
				sum.UniqueViewers++
			}
		}
		visits, recipients, pages := map[[2]string]bool{}, map[[2]string]bool{}, map[[3]string]bool{}
		for k, v := range st.visitPages {
			sum := sums[k.itemID]
			if sum == nil || !m.row(v.Day, v.SpotID, k.itemID, v.Bot) {
				continue
			}
			if key := [2]string{k.itemID, k.viewID}; !visits[key] {
				visits[key] = true
				sum.Visits++
			}
			if key := [2]string{k.itemID, v.Recipient}; v.Recipient != "" && !recipients[key] {
				recipients[key] = true
				sum.UniqueRecipients++
			}
			if key := [3]string{k.itemID, k.viewID, fmt.Sprint(k.page)}; !pages[key] {
				pages[key] = true
				sum.PagesRead++
			}
		}
		out := make([]analytics.ItemSum, 0, len(sums))
		for _, sum := range sums {
			out = append(out, *sum)
		}
		slices.SortFunc(out, func(a, b analytics.ItemSum) int { return cmp.Compare(a.ItemID, b.ItemID) })
		return limited(out, f.Limit), nil
	})
}

// SumSpots sums ItemDay rows per spot, with viewers and items engaged.
func (s *Store) SumSpots(ctx context.Context, f analytics.Filter) ([]analytics.SpotSum, error) {
	return query(ctx, s, func(st *state) ([]analytics.SpotSum, error) {
		m, err := newRowFilter(f)
		if err != nil {
			return nil, fmt.Errorf("memstore: sum spots: %w", err)
		}
		sums := map[string]*analytics.SpotSum{}
		items := map[[2]string]bool{}
		for _, d := range st.itemDays {
			if !m.row(d.Day, d.SpotID, d.ItemID, d.Bot) {
				continue
			}
			sum := sums[d.SpotID]
			if sum == nil {
				sum = &analytics.SpotSum{ItemDay: analytics.ItemDay{SpotID: d.SpotID}}
				sums[d.SpotID] = sum
			}
			addItemDay(&sum.ItemDay, d)
			sum.Day = max(sum.Day, d.Day)
			if key := [2]string{d.SpotID, d.ItemID}; !items[key] {
				items[key] = true
				sum.ItemsEngaged++
			}
		}
		viewers := map[[2]string]bool{}
		for k, v := range st.viewers {
			if sum := sums[v.SpotID]; sum != nil && m.row(k.day, v.SpotID, k.itemID, false) && !viewers[[2]string{v.SpotID, k.viewer}] {
				viewers[[2]string{v.SpotID, k.viewer}] = true
				sum.UniqueViewers++
			}
		}
		out := make([]analytics.SpotSum, 0, len(sums))
		for _, sum := range sums {
			out = append(out, *sum)
		}
		slices.SortFunc(out, func(a, b analytics.SpotSum) int { return cmp.Compare(a.SpotID, b.SpotID) })
		return limited(out, f.Limit), nil
	})
}

// VisitPages returns the matching VisitPage rows by item, view and page.
func (s *Store) VisitPages(ctx context.Context, f analytics.Filter) ([]analytics.VisitPage, error) {
	return query(ctx, s, func(st *state) ([]analytics.VisitPage, error) {
		m, err := newRowFilter(f)
		if err != nil {
			return nil, fmt.Errorf("memstore: visit pages: %w", err)
		}
		var out []analytics.VisitPage
		for _, v := range st.visitPages {
			if m.row(v.Day, v.SpotID, v.ItemID, v.Bot) && (!m.filterShares || m.shares[v.ShareID]) {
				out = append(out, v)
			}
		}
		slices.SortFunc(out, func(a, b analytics.VisitPage) int {
			return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.ViewID, b.ViewID), cmp.Compare(a.Page, b.Page))
		})
		return limited(out, f.Limit), nil
	})
}

// RecipientTotals returns the rows of f.ShareIDs or f.Owners, by share,
// recipient and bot flag.
func (s *Store) RecipientTotals(ctx context.Context, f analytics.Filter) ([]analytics.RecipientTotal, error) {
	return query(ctx, s, func(st *state) ([]analytics.RecipientTotal, error) {
		m, _ := newRowFilter(analytics.Filter{ShareIDs: f.ShareIDs, Owners: f.Owners})
		var out []analytics.RecipientTotal
		for _, t := range st.recipients {
			if t.Bot && !f.IncludeBots {
				continue
			}
			if (m.filterShares || m.byOwners) && !m.shares[t.ShareID] && !m.owners[t.ShareOwner] {
				continue
			}
			out = append(out, t)
		}
		slices.SortFunc(out, compareRecipients)
		return limited(out, f.Limit), nil
	})
}

// compareRecipients orders RecipientTotal rows by share, recipient, then
// bot rows last.
func compareRecipients(a, b analytics.RecipientTotal) int {
	bot := func(t analytics.RecipientTotal) int {
		if t.Bot {
			return 1
		}
		return 0
	}
	return cmp.Or(cmp.Compare(a.ShareID, b.ShareID), cmp.Compare(a.Recipient, b.Recipient), cmp.Compare(bot(a), bot(b)))
}

// SumQueries sums QueryDay rows per query over the days of f.
func (s *Store) SumQueries(ctx context.Context, f analytics.Filter, maxAvgHits float64) ([]analytics.QuerySum, error) {
	return query(ctx, s, func(st *state) ([]analytics.QuerySum, error) {
		m, err := newRowFilter(analytics.Filter{From: f.From, To: f.To, AllSpots: true})
		if err != nil {
			return nil, fmt.Errorf("memstore: sum queries: %w", err)
		}
		type total struct {
			sum  analytics.QuerySum
			hits int64
		}
		totals := map[string]*total{}
		for _, q := range st.queryDays {
			if !m.row(q.Day, "", "", false) {
				continue
			}
			t := totals[q.Query]
			if t == nil {
				t = &total{sum: analytics.QuerySum{Query: q.Query}}
				totals[q.Query] = t
			}
			t.sum.Searches += q.Searches
			t.sum.ZeroHits += q.ZeroHits
			t.hits += q.HitsTotal
			t.sum.LastDay = max(t.sum.LastDay, q.Day)
		}
		var out []analytics.QuerySum
		for _, t := range totals {
			if t.sum.Searches <= 0 {
				continue
			}
			t.sum.AvgHits = float64(t.hits) / float64(t.sum.Searches)
			if t.sum.AvgHits <= maxAvgHits {
				out = append(out, t.sum)
			}
		}
		slices.SortFunc(out, func(a, b analytics.QuerySum) int {
			return cmp.Or(cmp.Compare(b.Searches, a.Searches), cmp.Compare(a.Query, b.Query))
		})
		limit := f.Limit
		if limit <= 0 {
			limit = 100
		}
		return limited(out, limit), nil
	})
}

// SumActors sums ActorDay rows per actor and type over the days of f.
func (s *Store) SumActors(ctx context.Context, f analytics.Filter) ([]analytics.ActorDay, error) {
	return query(ctx, s, func(st *state) ([]analytics.ActorDay, error) {
		m, err := newRowFilter(analytics.Filter{From: f.From, To: f.To, AllSpots: true, Owners: f.Owners})
		if err != nil {
			return nil, fmt.Errorf("memstore: sum actors: %w", err)
		}
		type key struct {
			actor string
			typ   analytics.EventType
		}
		sums := map[key]*analytics.ActorDay{}
		for _, a := range st.actorDays {
			if !m.row(a.Day, "", "", false) || (m.byOwners && !m.owners[a.Actor]) {
				continue
			}
			k := key{a.Actor, a.Type}
			sum := sums[k]
			if sum == nil {
				sum = &analytics.ActorDay{Actor: a.Actor, Type: a.Type}
				sums[k] = sum
			}
			sum.Count += a.Count
			sum.Day = max(sum.Day, a.Day)
		}
		out := make([]analytics.ActorDay, 0, len(sums))
		for _, sum := range sums {
			out = append(out, *sum)
		}
		slices.SortFunc(out, func(a, b analytics.ActorDay) int {
			return cmp.Or(cmp.Compare(a.Actor, b.Actor), cmp.Compare(a.Type, b.Type))
		})
		return limited(out, f.Limit), nil
	})
}

// Top sums ItemDay scores per item, each weighted by its day.
func (s *Store) Top(ctx context.Context, f analytics.TopFilter) ([]analytics.ItemScore, error) {
	return query(ctx, s, func(st *state) ([]analytics.ItemScore, error) {
		for d := range f.DayWeights {
			if !validDay(d) {
				return nil, fmt.Errorf("memstore: top: day %q: %w", d, analytics.ErrInvalid)
			}
		}
		m, _ := newRowFilter(analytics.Filter{SpotIDs: f.SpotIDs, AllSpots: f.AllSpots, ItemIDs: f.ItemIDs,
			IncludeBots: f.IncludeBots})
		type total struct {
			score float64
			last  analytics.ItemDay // Day and SpotID of the latest row counted
		}
		totals := map[string]*total{}
		for _, d := range st.itemDays {
			w := 1.0
			if f.DayWeights != nil {
				var ok bool
				if w, ok = f.DayWeights[d.Day]; !ok {
					continue
				}
			}
			if !m.row(d.Day, d.SpotID, d.ItemID, d.Bot) {
				continue
			}
			t := totals[d.ItemID]
			if t == nil {
				t = &total{}
				totals[d.ItemID] = t
			}
			t.score += d.Score * w
			if later(d.Day, d.SpotID, t.last) {
				t.last.Day, t.last.SpotID = d.Day, d.SpotID
			}
		}
		var out []analytics.ItemScore
		for id, t := range totals {
			if t.score > 0 {
				out = append(out, analytics.ItemScore{ItemID: id, SpotID: t.last.SpotID, Score: t.score})
			}
		}
		slices.SortFunc(out, func(a, b analytics.ItemScore) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ItemID, b.ItemID))
		})
		if len(f.ItemIDs) > 0 {
			return out, nil
		}
		return limited(out, f.Limit), nil
	})
}

var _ analytics.RecipientTotalsOfStore = (*Store)(nil)

// RecipientTotalsOf returns the RecipientTotal rows of these recipients,
// by share, recipient and bot flag.
func (s *Store) RecipientTotalsOf(ctx context.Context, recipients []string, includeBots bool) ([]analytics.RecipientTotal, error) {
	return query(ctx, s, func(st *state) ([]analytics.RecipientTotal, error) {
		var out []analytics.RecipientTotal
		for k, t := range st.recipients {
			if slices.Contains(recipients, k.recipient) && (includeBots || !k.bot) {
				out = append(out, t)
			}
		}
		slices.SortFunc(out, compareRecipients)
		return out, nil
	})
}
