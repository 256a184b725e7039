package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// Signals provides the analytics signals documents carry (trending and
// popular). It is optional: without it both are zero. Analytics implements
// it from its roll-ups.
type Signals interface {
	// Signals returns the signals of the given items; items without
	// engagement may be absent from the map.
	Signals(ctx context.Context, itemIDs []string) (map[string]Signal, error)
}

// Signal is one item's engagement.
type Signal struct {
	Trending float64
	Popular  float64
}

// FollowerOptions configure a Follower. Zero fields take defaults.
type FollowerOptions struct {
	// Interval is how often the follower polls the change feed when nothing
	// woke it; 250 ms by default, so a write is searchable well within 1 s.
	Interval time.Duration
	// BatchSize is how many documents go to the index in one Index call;
	// 500 by default (Bluge's indexing memory stays bounded at that size).
	BatchSize int
	Signals   Signals
	Logger    *slog.Logger
}

// Follower keeps an Indexer in step with a store: it reads the change feed
// after the sequence the index last applied and re-indexes what changed. The
// sequence lives in the index and is written with the documents, so after a
// crash the follower resumes exactly where the index stopped: nothing is
// missed, and re-applying a change only replaces documents with themselves.
type Follower struct {
	st   store.Store
	idx  Indexer
	opt  FollowerOptions
	wake chan struct{}
	// round serializes catch-up rounds with the swap of a rebuilt index, so
	// no round started on the old index writes into the new one.
	round sync.Mutex
}

// NewFollower returns a Follower of st feeding idx. It starts nothing; call
// Run.
func NewFollower(st store.Store, idx Indexer, opt FollowerOptions) *Follower {
	if opt.Interval <= 0 {
		opt.Interval = 250 * time.Millisecond
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 500
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Follower{st: st, idx: idx, opt: opt, wake: make(chan struct{}, 1)}
}

// Wake asks a running follower to catch up now rather than at its next
// poll. It never blocks.
func (f *Follower) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run catches up, then follows the change feed until ctx ends. Errors are
// logged and retried with backoff; Run returns nil when ctx ends.
func (f *Follower) Run(ctx context.Context) error {
	backoff := f.opt.Interval
	for {
		_, err := f.CatchUp(ctx)
		wait := f.opt.Interval
		if err != nil && ctx.Err() == nil {
			f.opt.Logger.Error("search: following the change feed", "err", err)
			backoff = min(backoff*2, 30*time.Second)
			wait = backoff
		} else {
			backoff = f.opt.Interval
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-f.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// CatchUp applies every change after the index's applied sequence and
// returns how many changes it applied.
func (f *Follower) CatchUp(ctx context.Context) (int, error) {
	f.round.Lock()
	defer f.round.Unlock()
	total := 0
	for {
		after, err := f.idx.AppliedSeq(ctx)
		if err != nil {
			return total, fmt.Errorf("search: applied sequence: %w", err)
		}
		changes, err := f.st.Changes(ctx, after, 1000)
		if err != nil {
			return total, fmt.Errorf("search: read changes after %d: %w", after, err)
		}
		if len(changes) == 0 {
			return total, nil
		}
		if err := f.apply(ctx, changes, after); err != nil {
			return total, err
		}
		total += len(changes)
	}
}

// apply re-indexes what changes touch. The documents may span several Index
// calls; only the last records the new sequence, so a crash in between
// replays the whole round.
func (f *Follower) apply(ctx context.Context, changes []store.Change, applied int64) error {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, c := range changes {
		switch c.Entity {
		case store.EntityItem:
			add(c.EntityID)
		case store.EntitySpot, store.EntityList:
			// A rename changes the text of every item that shows the name.
			// Deletions cascade in the feed as item changes of their own.
			if c.Op == store.OpDelete {
				continue
			}
			filter := items.ItemFilter{SpotIDs: []string{c.EntityID}}
			if c.Entity == store.EntityList {
				filter = items.ItemFilter{AllSpots: true, ListIDs: []string{c.EntityID}}
			}
			members, err := f.allItems(ctx, filter)
			if err != nil {
				return err
			}
			for _, it := range members {
				add(it.ID)
			}
		}
	}
	last := changes[len(changes)-1].Seq
	if len(ids) == 0 {
		if err := f.idx.Index(ctx, nil, nil, last); err != nil {
			return fmt.Errorf("search: record changes up to %d: %w", last, err)
		}
		return nil
	}
	b := NewDocBuilder(f.st, f.opt.Signals)
	for start := 0; start < len(ids); start += f.opt.BatchSize {
		end := min(start+f.opt.BatchSize, len(ids))
		docs, deletes, err := b.Documents(ctx, ids[start:end])
		if err != nil {
			return err
		}
		seq := applied
		if end == len(ids) {
			seq = last
		}
		if err := f.idx.Index(ctx, docs, deletes, seq); err != nil {
			return fmt.Errorf("search: index changes up to %d: %w", seq, err)
		}
	}
	return nil
}

// Refresh re-indexes the given items as they are now, with fresh signals,
// without moving the applied sequence: analytics calls it for items whose
// engagement changed, so sorts by trending and popular stay current without
// any content change. Items no longer in the store are removed.
func (f *Follower) Refresh(ctx context.Context, ids []string) (int, error) {
	f.round.Lock()
	defer f.round.Unlock()
	b := NewDocBuilder(f.st, f.opt.Signals)
	n := 0
	for start := 0; start < len(ids); start += f.opt.BatchSize {
		end := min(start+f.opt.BatchSize, len(ids))
		applied, err := f.idx.AppliedSeq(ctx)
		if err != nil {
			return n, fmt.Errorf("search: applied sequence: %w", err)
		}
		docs, deletes, err := b.Documents(ctx, ids[start:end])
		if err != nil {
			return n, err
		}
		if err := f.idx.Index(ctx, docs, deletes, applied); err != nil {
			return n, fmt.Errorf("search: refresh: %w", err)
		}
		n += len(docs)
	}
	return n, nil
}

// allItems pages through every item matching filter, whatever its status.
func (f *Follower) allItems(ctx context.Context, filter items.ItemFilter) ([]items.Item, error) {
	var out []items.Item
	filter.Limit = 1000
	for {
		page, err := f.st.ListItems(ctx, filter)
		if err != nil {
			return nil, fmt.Errorf("search: list items: %w", err)
		}
		out = append(out, page...)
		if len(page) < filter.Limit {
			return out, nil
		}
		filter.BeforeID = page[len(page)-1].ID
	}
}

// Reindex rebuilds the index from the store while the current index keeps
// serving (and following): it records the feed's position, indexes every
// item into a replacement, swaps it in, and lets the follower replay what
// changed meanwhile. It returns the number of items indexed.
func (f *Follower) Reindex(ctx context.Context) (int, error) {
	seq, err := f.st.LastChangeSeq(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: reindex: %w", err)
	}
	build, err := f.idx.Rebuild(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: reindex: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = build.Abort()
		}
	}()
	b := NewDocBuilder(f.st, f.opt.Signals)
	filter := items.ItemFilter{AllSpots: true, Limit: f.opt.BatchSize}
	n := 0
	for {
		page, err := f.st.ListItems(ctx, filter)
		if err != nil {
			return n, fmt.Errorf("search: reindex: list items: %w", err)
		}
		docs, err := b.FromItems(ctx, page)
		if err != nil {
			return n, fmt.Errorf("search: reindex: %w", err)
		}
		if err := build.Add(ctx, docs); err != nil {
			return n, fmt.Errorf("search: reindex: %w", err)
		}
		n += len(docs)
		if len(page) < filter.Limit {
			break
		}
		filter.BeforeID = page[len(page)-1].ID
	}
	f.round.Lock()
	err = build.Commit(ctx, seq)
	f.round.Unlock()
	if err != nil {
		return n, fmt.Errorf("search: reindex: commit: %w", err)
	}
	committed = true
	f.Wake()
	return n, nil
}

// DocBuilder turns items into Documents, reading the names, text and owners
// they show from the store. It caches names for its lifetime: make one per
// round.
type DocBuilder struct {
	st         store.Store
	signals    Signals
	spotNames  map[string]string
	listNames  map[string]string
	ownerNames map[string]string
}

// NewDocBuilder returns a builder reading st; signals may be nil.
func NewDocBuilder(st store.Store, signals Signals) *DocBuilder {
	return &DocBuilder{st: st, signals: signals, spotNames: map[string]string{}, listNames: map[string]string{},
		ownerNames: map[string]string{}}
}

// Documents builds the documents of the given items; IDs of items that no
// longer exist come back in deletes.
func (b *DocBuilder) Documents(ctx context.Context, ids []string) (docs []Document, deletes []string, err error) {
	var found []items.Item
	for _, id := range ids {
		it, err := b.st.GetItem(ctx, id)
		if errors.Is(err, items.ErrNotFound) {
			deletes = append(deletes, id)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("search: item %s: %w", id, err)
		}
		found = append(found, it)
	}
	docs, err = b.FromItems(ctx, found)
	return docs, deletes, err
}

// FromItems builds the documents of items.
func (b *DocBuilder) FromItems(ctx context.Context, list []items.Item) ([]Document, error) {
	var sig map[string]Signal
	if b.signals != nil && len(list) > 0 {
		ids := make([]string, len(list))
		for i, it := range list {
			ids[i] = it.ID
		}
		var err error
		if sig, err = b.signals.Signals(ctx, ids); err != nil {
			return nil, fmt.Errorf("search: signals: %w", err)
		}
	}
	docs := make([]Document, 0, len(list))
	for _, it := range list {
		d, err := b.document(ctx, it)
		if err != nil {
			return nil, err
		}
		d.Trending, d.Popular = sig[it.ID].Trending, sig[it.ID].Popular
		docs = append(docs, d)
	}
	return docs, nil
}

func (b *DocBuilder) document(ctx context.Context, it items.Item) (Document, error) {
	d := Document{
		ID: it.ID, Title: it.Title, ExternalTitle: it.ExternalTitle, Description: it.Description,
		ExternalDescription: it.ExternalDescription, HomeSpotID: it.SpotID, SpotIDs: it.SpotIDs(),
		ListIDs: slices.Clone(it.ListIDs), Labels: slices.Clone(it.Labels), Author: it.Author,
		Kind: string(it.Kind), Audience: string(it.Audience), Status: IndexedStatus(it),
		Flagged: it.Status == items.StatusExpired, Promoted: it.Promoted,
		PromotedKeywords: slices.Clone(it.PromotedKeywords),
		CreatedAt:        it.CreatedAt, UpdatedAt: it.UpdatedAt, ExpiresAt: it.ExpiresAt,
	}
	for _, id := range d.SpotIDs {
		name, err := b.spotName(ctx, id)
		if err != nil {
			return Document{}, err
		}
		d.SpotNames = append(d.SpotNames, name)
	}
	for _, id := range d.ListIDs {
		name, err := b.listName(ctx, id)
		if err != nil {
			return Document{}, err
		}
		if name != "" {
			d.ListNames = append(d.ListNames, name)
		}
	}
	for _, o := range it.Owners {
		d.Owners = append(d.Owners, o.ID)
		if o.Kind == spots.SubjectUser {
			if name, err := b.ownerName(ctx, o.ID); err != nil {
				return Document{}, err
			} else if name != "" {
				d.Owners = append(d.Owners, name)
			}
		}
	}
	if it.CurrentVersionID != "" {
		v, err := b.st.GetVersion(ctx, it.CurrentVersionID)
		switch {
		case err == nil:
			d.Pages = v.Pages
		case !errors.Is(err, items.ErrNotFound):
			return Document{}, fmt.Errorf("search: version %s: %w", it.CurrentVersionID, err)
		}
	}
	return d, nil
}

func (b *DocBuilder) spotName(ctx context.Context, id string) (string, error) {
	if name, ok := b.spotNames[id]; ok {
		return name, nil
	}
	sp, err := b.st.GetSpot(ctx, id)
	if err != nil && !errors.Is(err, spots.ErrNotFound) {
		return "", fmt.Errorf("search: spot %s: %w", id, err)
	}
	b.spotNames[id] = sp.Name
	return sp.Name, nil
}

func (b *DocBuilder) listName(ctx context.Context, id string) (string, error) {
	if name, ok := b.listNames[id]; ok {
		return name, nil
	}
	l, err := b.st.GetList(ctx, id)
	if err != nil && !errors.Is(err, items.ErrNotFound) {
		return "", fmt.Errorf("search: list %s: %w", id, err)
	}
	b.listNames[id] = l.Name
	return l.Name, nil
}

func (b *DocBuilder) ownerName(ctx context.Context, id string) (string, error) {
	if name, ok := b.ownerNames[id]; ok {
		return name, nil
	}
	p, err := b.st.GetPrincipal(ctx, id)
	if err != nil && !errors.Is(err, spots.ErrNotFound) {
		return "", fmt.Errorf("search: principal %s: %w", id, err)
	}
	b.ownerNames[id] = p.Name
	return p.Name, nil
}

// StatusHidden is the status indexed for items governance hid (expired in a
// spot whose policy hides expired content): no viewer's access filter
// admits it, so only editors of the home spot (and admins) find them, under
// the status facet "hidden".
const StatusHidden = "hidden"

// IndexedStatus is the status an item is indexed under: its own, or
// StatusHidden when governance hid it.
func IndexedStatus(it items.Item) string {
	if it.Hidden {
		return StatusHidden
	}
	return string(it.Status)
}
