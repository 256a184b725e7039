package briefcase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// notify hands n to the configured Notifier, filling Email from the stored
// principal when n is for one.
func (l *Library) notify(ctx context.Context, n Notification) error {
	if n.To != "" && n.Email == "" {
		p, err := l.cfg.Store.GetPrincipal(ctx, n.To)
		switch {
		case err == nil:
			n.Email = p.Email
		case !errors.Is(err, spots.ErrNotFound):
			return fmt.Errorf("briefcase: recipient %s: %w", n.To, err)
		}
	}
	return l.cfg.Notifier.Notify(ctx, n)
}

// sendGovernance delivers a governance message through the Notifier.
func (l *Library) sendGovernance(ctx context.Context, m governance.Message) error {
	return l.notify(ctx, Notification{To: m.To, Subject: m.Subject, Body: m.Body, Kind: m.Kind, Key: m.Key})
}

// sharers maps every item in a live share to the owners and contributors
// of the live shares that hold it.
func (l *Library) sharers(ctx context.Context, now time.Time) (map[string][]string, error) {
	f := share.ShareFilter{LiveAt: now, Limit: 500}
	out := map[string][]string{}
	for {
		shs, err := l.cfg.Store.ListShares(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, sh := range shs {
			people := append([]string{sh.OwnerID}, sh.Contributors...)
			for _, sec := range sh.Sections {
				for _, it := range sec.Items {
					out[it.ItemID] = append(out[it.ItemID], people...)
				}
			}
		}
		if len(shs) < f.Limit {
			break
		}
		f.BeforeID = shs[len(shs)-1].ID
	}
	for id, people := range out {
		slices.Sort(people)
		out[id] = slices.Compact(people)
	}
	return out, nil
}

// itemViews returns the all-time views of items (internal views, buyers'
// visits and page views, bots excluded), for the compliance report.
func (l *Library) itemViews(ctx context.Context, ids []string) (map[string]int64, error) {
	sums, err := l.cfg.Analytics.SumItems(ctx, analytics.Filter{From: analytics.Day("0001-01-01"),
		To: analytics.DayOf(l.cfg.Now().AddDate(0, 0, 1)), AllSpots: true, ItemIDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(sums))
	for _, s := range sums {
		out[s.ItemID] += s.Views + s.Visits + s.PageViews
	}
	return out, nil
}

// sweep runs the governance sweep every interval (and once at start).
func (l *Library) sweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := l.Governance.Sweep(ctx, l.cfg.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			l.cfg.Logger.ErrorContext(ctx, "governance sweep", "err", err)
		case res.Transitions > 0 || res.Recorded > 0 || res.Messages > 0 || res.Failed > 0:
			l.cfg.Logger.InfoContext(ctx, "governance sweep", "examined", res.Examined, "transitions", res.Transitions,
				"notices", res.Recorded, "messages", res.Messages, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// countSweep adds a sweep's result to the metrics (governance calls it
// after every sweep: Run's, the API's, the CLI's). A sweep cut short
// because its context ended is no failure.
func (l *Library) countSweep(ctx context.Context, res governance.SweepResult, err error) {
	m := l.metrics
	switch {
	case err == nil:
		m.sweeps.With("ok").Inc()
	case ctx.Err() == nil:
		m.sweeps.With("error").Inc()
	}
	// A failed sweep still reports what it did before failing.
	m.transitions.Add(float64(res.Transitions))
	m.notices.With("recorded").Add(float64(res.Recorded))
	m.notices.With("sent").Add(float64(res.Sent))
	m.notices.With("failed").Add(float64(res.Failed))
}

// changedSince returns the items and spots the change feed records after
// seq, read through the sweep's transaction (so nothing committed before
// it began is missed).
func changedSince(ctx context.Context, tx governance.Stores, seq int64) (itemIDs, spotIDs map[string]bool, last int64, err error) {
	feed, ok := tx.(store.ChangeFeed)
	if !ok {
		return nil, nil, seq, fmt.Errorf("briefcase: the store's transaction has no change feed")
	}
	itemIDs, spotIDs = map[string]bool{}, map[string]bool{}
	for {
		changes, err := feed.Changes(ctx, seq, 1000)
		if err != nil {
			return nil, nil, seq, err
		}
		for _, c := range changes {
			switch c.Entity {
			case store.EntityItem:
				itemIDs[c.EntityID] = true
			case store.EntitySpot:
				spotIDs[c.EntityID] = true
			}
		}
		if len(changes) > 0 {
			seq = changes[len(changes)-1].Seq
		}
		if len(changes) < 1000 {
			return itemIDs, spotIDs, seq, nil
		}
	}
}
