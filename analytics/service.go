package analytics

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/spots"
)

// Options configure a Service. Zero fields take defaults.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Weights turn events into engagement; DefaultWeights by default.
	Weights *Weights
	// TrendingWindow is how far back trending looks (14 days); each day's
	// engagement weighs ½^(age/TrendingHalfLife) (7 days).
	TrendingWindow   time.Duration
	TrendingHalfLife time.Duration
	// Retention is how long raw events are kept (Prune); 400 days by
	// default. Roll-ups are kept forever.
	Retention time.Duration
	// FlushInterval and BatchSize: the recorder writes what it holds every
	// FlushInterval (200 ms) or as soon as it holds BatchSize events (1000).
	FlushInterval time.Duration
	BatchSize     int
	// Buffer caps the events waiting to be written (100,000); past it, new
	// events are dropped and counted (Dropped), never blocking a request.
	Buffer int
}

// Service records events and answers trending, popular and reports. It is
// safe for concurrent use.
type Service struct {
	st    Store
	spots *spots.Service
	items *items.Service
	opt   Options
	w     Weights

	mu      sync.Mutex
	pending []Event
	wake    chan struct{}
	flushMu sync.Mutex // one writer at a time
	dropped int64
}

// NewService returns a Service over st. Reports and signals check access
// with the spots and items services.
func NewService(st Store, sp *spots.Service, it *items.Service, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	w := DefaultWeights()
	if opt.Weights != nil {
		w = *opt.Weights
	}
	if opt.TrendingWindow <= 0 {
		opt.TrendingWindow = 14 * 24 * time.Hour
	}
	if opt.TrendingHalfLife <= 0 {
		opt.TrendingHalfLife = 7 * 24 * time.Hour
	}
	if opt.Retention <= 0 {
		opt.Retention = 400 * 24 * time.Hour
	}
	if opt.FlushInterval <= 0 {
		opt.FlushInterval = 200 * time.Millisecond
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	if opt.Buffer <= 0 {
		opt.Buffer = 100_000
	}
	return &Service{st: st, spots: sp, items: it, opt: opt, w: w, wake: make(chan struct{}, 1)}
}

// Record queues events to be written by Run (or Flush). It never blocks
// and never fails: when the buffer is full the events are dropped, counted
// and logged. Events without a time get the service's clock.
func (s *Service) Record(ctx context.Context, evs ...Event) {
	now := s.opt.Now().UTC()
	s.mu.Lock()
	room := s.opt.Buffer - len(s.pending)
	if room < len(evs) {
		if s.dropped == 0 || s.dropped/1000 != (s.dropped+int64(len(evs)-max(room, 0)))/1000 {
			s.opt.Logger.WarnContext(ctx, "analytics: buffer full; events dropped", "dropped", s.dropped+int64(len(evs)-max(room, 0)))
		}
		s.dropped += int64(len(evs) - max(room, 0))
		evs = evs[:max(room, 0)]
	}
	for _, e := range evs {
		if e.At.IsZero() {
			e.At = now
		}
		// Erasure finds a buyer by the lower-cased address.
		e.Recipient = strings.ToLower(strings.TrimSpace(e.Recipient))
		e.At = e.At.UTC().Truncate(time.Microsecond)
		s.pending = append(s.pending, e)
	}
	full := len(s.pending) >= s.opt.BatchSize
	s.mu.Unlock()
	if full {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Dropped returns how many events were dropped because the buffer was full.
func (s *Service) Dropped() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Flush writes every queued event now, in batches of BatchSize. On error
// the unwritten events stay queued for the next flush, except a batch the
// store refuses as invalid, which is dropped (and counted in Dropped).
func (s *Service) Flush(ctx context.Context) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	for {
		s.mu.Lock()
		n := min(len(s.pending), s.opt.BatchSize)
		batch := slices.Clone(s.pending[:n])
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		err := s.st.Append(ctx, batch, s.rollup(batch, 1))
		switch {
		case errors.Is(err, ErrInvalid):
			// The store will never take this batch: drop it rather than
			// block every event behind it.
			s.opt.Logger.ErrorContext(ctx, "analytics: batch refused; events dropped", "events", n, "err", err)
			s.mu.Lock()
			s.dropped += int64(n)
			s.mu.Unlock()
		case err != nil:
			return fmt.Errorf("analytics: append %d events: %w", n, err)
		}
		s.mu.Lock()
		s.pending = s.pending[n:]
		if len(s.pending) == 0 {
			s.pending = nil
		}
		s.mu.Unlock()
	}
}

// Run writes queued events until ctx ends, then flushes what is left (with
// a short grace period) and returns nil.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.opt.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := s.Flush(fctx); err != nil {
				s.opt.Logger.ErrorContext(fctx, "analytics: final flush", "err", err)
			}
			return nil
		case <-t.C:
		case <-s.wake:
		}
		if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
			s.opt.Logger.ErrorContext(ctx, "analytics: flush", "err", err)
		}
	}
}

// NormalizeQuery is the form search gaps group queries by: lower case,
// spaces collapsed.
func NormalizeQuery(q string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(q), unicode.IsSpace), " ")
}

// rollup computes the roll-up deltas of events, multiplied by sign (1 to
// add, -1 to take away). ItemViewer rows are only added (sign 1): unique
// viewers are a set.
func (s *Service) rollup(evs []Event, sign int64) Rollups {
	var r Rollups
	type dayKey struct {
		item string
		day  Day
		bot  bool
	}
	days := map[dayKey]*ItemDay{}
	var dayOrder []dayKey
	item := func(e Event) *ItemDay {
		k := dayKey{e.ItemID, DayOf(e.At), e.SuspectedBot}
		d := days[k]
		if d == nil {
			d = &ItemDay{ItemID: e.ItemID, SpotID: e.SpotID, Day: k.day, Bot: e.SuspectedBot}
			days[k] = d
			dayOrder = append(dayOrder, k)
		}
		return d
	}
	type visitKey struct {
		view, item string
		page       int
	}
	visits := map[visitKey]*VisitPage{}
	var visitOrder []visitKey
	type recipKey struct {
		share, recipient string
		bot              bool
	}
	recips := map[recipKey]*RecipientTotal{}
	var recipOrder []recipKey
	recipient := func(e Event) *RecipientTotal {
		k := recipKey{e.ShareID, e.Recipient, e.SuspectedBot}
		rt := recips[k]
		if rt == nil {
			rt = &RecipientTotal{ShareID: e.ShareID, ShareOwner: e.ShareOwner, Recipient: e.Recipient, Bot: e.SuspectedBot,
				FirstAt: e.At, LastAt: e.At}
			recips[k] = rt
			recipOrder = append(recipOrder, k)
		}
		if e.At.Before(rt.FirstAt) {
			rt.FirstAt = e.At
		}
		if e.At.After(rt.LastAt) {
			rt.LastAt = e.At
		}
		return rt
	}
	type queryKey struct {
		q   string
		day Day
	}
	queries := map[queryKey]*QueryDay{}
	var queryOrder []queryKey
	type actorKey struct {
		actor string
		day   Day
		typ   EventType
	}
	actors := map[actorKey]*ActorDay{}
	var actorOrder []actorKey
	viewers := map[ItemViewer]bool{}
	w := s.w
	f := float64(sign)
	for _, e := range evs {
		if e.Actor != "" && !e.Type.External() {
			k := actorKey{e.Actor, DayOf(e.At), e.Type}
			a := actors[k]
			if a == nil {
				a = &ActorDay{Actor: e.Actor, Day: k.day, Type: e.Type}
				actors[k] = a
				actorOrder = append(actorOrder, k)
			}
			a.Count += sign
		}
		switch e.Type {
		case ItemViewed, ItemDownloaded, ItemBookmarked, ItemPitched:
			if e.ItemID == "" {
				continue
			}
			d := item(e)
			switch e.Type {
			case ItemViewed:
				d.Views += sign
				d.Score += f * w.View
				if sign > 0 && e.Actor != "" {
					viewers[ItemViewer{ItemID: e.ItemID, SpotID: e.SpotID, Day: d.Day, Viewer: e.Actor}] = true
				}
			case ItemDownloaded:
				d.Downloads += sign
				d.Score += f * w.Download
			case ItemBookmarked:
				d.Bookmarks += sign
				d.Score += f * w.Bookmark
			case ItemPitched:
				d.Pitches += sign
				d.Score += f * w.Pitch
			}
		case Searched:
			k := queryKey{NormalizeQuery(e.Query), DayOf(e.At)}
			if k.q == "" {
				continue
			}
			q := queries[k]
			if q == nil {
				q = &QueryDay{Query: k.q, Day: k.day}
				queries[k] = q
				queryOrder = append(queryOrder, k)
			}
			q.Searches += sign
			q.HitsTotal += sign * int64(e.Hits)
			if e.Hits == 0 {
				q.ZeroHits += sign
			}
		case LinkOpened:
			if e.ShareID != "" {
				recipient(e).Opens += sign
			}
		case PageViewed, ExternalDownloaded, LinkClicked:
			if e.ItemID == "" {
				continue
			}
			d := item(e)
			rt := recipient(e)
			switch e.Type {
			case PageViewed:
				d.PageViews += sign
				d.ActiveMS += sign * e.ActiveMS
				d.Score += f * (w.PageView + w.ActiveMinute*float64(e.ActiveMS)/60000)
				rt.PageViews += sign
				rt.ActiveMS += sign * e.ActiveMS
				k := visitKey{e.ViewID, e.ItemID, e.Page}
				vp := visits[k]
				if vp == nil {
					vp = &VisitPage{ViewID: e.ViewID, ItemID: e.ItemID, SpotID: e.SpotID, ShareID: e.ShareID,
						Recipient: e.Recipient, Day: DayOf(e.At), Page: e.Page, Bot: e.SuspectedBot}
					visits[k] = vp
					visitOrder = append(visitOrder, k)
				}
				vp.ActiveMS += sign * e.ActiveMS
			case ExternalDownloaded:
				d.ExternalDownloads += sign
				d.Score += f * w.ExternalDownload
				rt.Downloads += sign
			case LinkClicked:
				d.ExternalClicks += sign
				d.Score += f * w.Click
				rt.Clicks += sign
			}
		}
	}
	for _, k := range dayOrder {
		r.ItemDays = append(r.ItemDays, *days[k])
	}
	for _, k := range visitOrder {
		r.VisitPages = append(r.VisitPages, *visits[k])
	}
	for _, k := range recipOrder {
		r.Recipients = append(r.Recipients, *recips[k])
	}
	for _, k := range queryOrder {
		r.Queries = append(r.Queries, *queries[k])
	}
	for _, k := range actorOrder {
		r.Actors = append(r.Actors, *actors[k])
	}
	for v := range viewers {
		r.Viewers = append(r.Viewers, v)
	}
	slices.SortFunc(r.Viewers, func(a, b ItemViewer) int {
		return cmp.Or(cmp.Compare(a.ItemID, b.ItemID), cmp.Compare(a.Day, b.Day), cmp.Compare(a.Viewer, b.Viewer))
	})
	return r
}

// Rebuild recomputes every roll-up from the raw events kept (those older
// than the retention are gone, so roll-ups of older days are lost: run it
// only to repair roll-ups). Admins and the system only.
func (s *Service) Rebuild(ctx context.Context) (int64, error) {
	if err := requireAdmin(ctx); err != nil {
		return 0, err
	}
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	if err := s.st.ResetRollups(ctx); err != nil {
		return 0, fmt.Errorf("analytics: rebuild: %w", err)
	}
	var after, n int64
	for {
		evs, err := s.st.Events(ctx, EventFilter{AfterID: after, Limit: 5000})
		if err != nil {
			return n, fmt.Errorf("analytics: rebuild: %w", err)
		}
		if len(evs) == 0 {
			return n, nil
		}
		if err := s.st.AddRollups(ctx, s.rollup(evs, 1)); err != nil {
			return n, fmt.Errorf("analytics: rebuild: %w", err)
		}
		n += int64(len(evs))
		after = evs[len(evs)-1].ID
	}
}

// Prune deletes raw events older than the retention and returns how many.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	if err := requireAdmin(ctx); err != nil {
		return 0, err
	}
	n, err := s.st.DeleteEvents(ctx, now.Add(-s.opt.Retention))
	if err != nil {
		return n, fmt.Errorf("analytics: prune: %w", err)
	}
	return n, nil
}

// EraseRecipient deletes everything recorded about one buyer's address:
// their raw events, their visit and share roll-ups, and their part of the
// item and spot totals (which then count as if they had never engaged).
// Admins and the system only.
func (s *Service) EraseRecipient(ctx context.Context, email string) (int64, error) {
	if err := requireAdmin(ctx); err != nil {
		return 0, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return 0, fmt.Errorf("%w: email: required", ErrInvalid)
	}
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	var after int64
	var evs []Event
	for {
		page, err := s.st.Events(ctx, EventFilter{AfterID: after, Recipient: email, Limit: 5000})
		if err != nil {
			return 0, fmt.Errorf("analytics: erase: %w", err)
		}
		if len(page) == 0 {
			break
		}
		evs = append(evs, page...)
		after = page[len(page)-1].ID
	}
	r := s.rollup(evs, -1)
	// Rows keyed by the address are deleted whole, in the same transaction.
	r.VisitPages, r.Recipients = nil, nil
	n, err := s.st.EraseRecipient(ctx, email, r)
	if err != nil {
		return n, fmt.Errorf("analytics: erase: %w", err)
	}
	return n, nil
}

func requireAdmin(ctx context.Context) error {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	if !p.IsAdmin() {
		return fmt.Errorf("%w: admins only", ErrForbidden)
	}
	return nil
}

// dayWeights returns the trending weight of each day of the window ending
// on now's day: ½^(age/half-life), today weighing 1.
func (s *Service) dayWeights(now time.Time) map[Day]float64 {
	days := int(s.opt.TrendingWindow / (24 * time.Hour))
	half := s.opt.TrendingHalfLife.Hours() / 24
	out := make(map[Day]float64, days)
	today := now.UTC().Truncate(24 * time.Hour)
	for age := range days {
		out[DayOf(today.AddDate(0, 0, -age))] = math.Pow(0.5, float64(age)/half)
	}
	return out
}

// Signals returns the trending and popular scores of items, for search
// (it implements search.Signals). It checks no access: the search service
// decides what a principal sees.
func (s *Service) Signals(ctx context.Context, itemIDs []string) (map[string]search.Signal, error) {
	out := map[string]search.Signal{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	trend, err := s.st.Top(ctx, TopFilter{DayWeights: s.dayWeights(s.opt.Now()), AllSpots: true, ItemIDs: itemIDs})
	if err != nil {
		return nil, fmt.Errorf("analytics: trending: %w", err)
	}
	pop, err := s.st.Top(ctx, TopFilter{AllSpots: true, ItemIDs: itemIDs})
	if err != nil {
		return nil, fmt.Errorf("analytics: popular: %w", err)
	}
	for _, t := range trend {
		p := out[t.ItemID]
		p.Trending = t.Score
		out[t.ItemID] = p
	}
	for _, t := range pop {
		p := out[t.ItemID]
		p.Popular = t.Score
		out[t.ItemID] = p
	}
	return out, nil
}

// Ranked is an item in a trending or popular list.
type Ranked struct {
	Item  items.Item `json:"item"`
	Score float64    `json:"score"`
}

// Trending returns the items the caller may view with the most engagement
// in the trending window, in one spot or all it may view.
func (s *Service) Trending(ctx context.Context, spotID string, limit int) ([]Ranked, error) {
	return s.ranked(ctx, spotID, limit, s.dayWeights(s.opt.Now()))
}

// Popular returns the items the caller may view with the most engagement
// of all time.
func (s *Service) Popular(ctx context.Context, spotID string, limit int) ([]Ranked, error) {
	return s.ranked(ctx, spotID, limit, nil)
}

func (s *Service) ranked(ctx context.Context, spotID string, limit int, weights map[Day]float64) ([]Ranked, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	visible, err := s.spots.VisibleSpotIDs(ctx)
	if err != nil {
		return nil, err
	}
	if spotID != "" {
		if !slices.Contains(visible, spotID) {
			return nil, fmt.Errorf("spot %s: %w", spotID, spots.ErrNotFound)
		}
		visible = []string{spotID}
	}
	var out []Ranked
	// Ask for more than needed: some items may be drafts or otherwise
	// hidden from the caller, which Get refuses.
	want := limit * 2
	for {
		top, err := s.st.Top(ctx, TopFilter{DayWeights: weights, SpotIDs: visible, Limit: want})
		if err != nil {
			return nil, fmt.Errorf("analytics: top: %w", err)
		}
		out = out[:0]
		for _, t := range top {
			it, err := s.items.Get(ctx, t.ItemID)
			if errors.Is(err, items.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, Ranked{Item: it, Score: t.Score})
			if len(out) == limit {
				return out, nil
			}
		}
		if len(top) < want || want >= 2000 {
			return out, nil
		}
		want *= 4
	}
}

var _ search.Signals = (*Service)(nil)

// Engaged returns the items with engagement (bots left out) on the days
// from since's day to today, most engaged first, at most limit: the items
// whose search signals changed, for search.Follower.Refresh.
func (s *Service) Engaged(ctx context.Context, since time.Time, limit int) ([]string, error) {
	now := s.opt.Now().UTC()
	w := map[Day]float64{}
	for d := since.UTC().Truncate(24 * time.Hour); !d.After(now); d = d.AddDate(0, 0, 1) {
		w[DayOf(d)] = 1
	}
	top, err := s.st.Top(ctx, TopFilter{DayWeights: w, AllSpots: true, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("analytics: engaged items: %w", err)
	}
	ids := make([]string, len(top))
	for i, t := range top {
		ids[i] = t.ItemID
	}
	return ids, nil
}
