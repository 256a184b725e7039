package synthcorpus

import (
	"context"
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// Load writes the corpus into st, which should hold none of it: the
// principals, spots, grants and lists through the spots and items
// services (acting as the system principal, at a fixed time before the
// first item), then the items in transactions of Options.BatchSize, each
// with its version, placements and list memberships. Items are generated
// by one goroutine while another writes the previous batch; both have
// stopped when Load returns.
func (c *Corpus) Load(ctx context.Context, st store.Store) error {
	if err := c.loadSetup(ctx, st); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Item, 2)
	go func() {
		defer close(batches)
		for start := 0; start < c.opt.Items; start += c.opt.BatchSize {
			batch := make([]Item, 0, min(c.opt.BatchSize, c.opt.Items-start))
			for i := start; i < start+cap(batch); i++ {
				batch = append(batch, c.Item(i))
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	done := 0
	for batch := range batches {
		if err := st.Atomic(ctx, func(tx store.Store) error { return writeItems(ctx, tx, batch) }); err != nil {
			cancel()
			for range batches { // let the generator see ctx and stop
			}
			return fmt.Errorf("synthcorpus: items %d to %d: %w", done, done+len(batch)-1, err)
		}
		done += len(batch)
		if c.opt.Progress != nil {
			c.opt.Progress(done)
		}
	}
	return ctx.Err()
}

func writeItems(ctx context.Context, tx store.Store, batch []Item) error {
	for _, g := range batch {
		it := g.Item
		if err := tx.CreateItem(ctx, it); err != nil {
			return err
		}
		if err := tx.CreateVersion(ctx, g.Version); err != nil {
			return err
		}
		for _, s := range it.Placements {
			if err := tx.PutPlacement(ctx, it.ID, s, it.CreatedAt); err != nil {
				return err
			}
		}
		for _, l := range it.ListIDs {
			if err := tx.PutListItem(ctx, l, it.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadSetup creates principals, spots with their grants, and the lists,
// through the services, with the planned IDs.
func (c *Corpus) loadSetup(ctx context.Context, st store.Store) error {
	setup := c.start.Add(-30 * 24 * time.Hour)
	clock := func() time.Time { return setup }
	var nextID string
	newID := func() string { return nextID }
	sp := spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{Now: clock, NewID: newID})
	its := items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, sp, nil, items.Options{Now: clock, NewID: newID})
	sys := spots.WithPrincipal(ctx, spots.SystemPrincipal())

	for _, p := range c.principals {
		if _, err := sp.SavePrincipal(sys, p.Clone()); err != nil {
			return fmt.Errorf("synthcorpus: %w", err)
		}
	}
	for _, s := range c.spots {
		nextID = s.ID
		if _, err := sp.Create(sys, s.NewSpot); err != nil {
			return fmt.Errorf("synthcorpus: spot %q: %w", s.Name, err)
		}
		for _, g := range s.Grants {
			if _, err := sp.Grant(sys, s.ID, g.Subject, g.Role); err != nil {
				return fmt.Errorf("synthcorpus: spot %q: %w", s.Name, err)
			}
		}
	}
	for _, g := range c.groups {
		nextID = g.ID
		if _, err := its.CreateListGroup(sys, g.Name); err != nil {
			return fmt.Errorf("synthcorpus: %w", err)
		}
		for _, l := range g.Lists {
			nextID = l.ID
			if _, err := its.CreateList(sys, g.ID, l.Name); err != nil {
				return fmt.Errorf("synthcorpus: %w", err)
			}
		}
	}
	return nil
}
