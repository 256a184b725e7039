package briefcase

import (
	"context"
	"errors"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/store"
)

// The services report what happened after it committed; these turn their
// reports into analytics events. Recording only queues: it never blocks a
// request.

// recordItem records what a person did with an item.
func (l *Library) recordItem(ctx context.Context, a items.Activity) {
	if l.Analytics == nil {
		return
	}
	typ := analytics.ItemViewed
	switch a.Type {
	case items.ActDownloaded:
		typ = analytics.ItemDownloaded
	case items.ActBookmarked:
		typ = analytics.ItemBookmarked
	}
	l.Analytics.Record(ctx, analytics.Event{Type: typ, At: a.At, Actor: a.Actor, ItemID: a.ItemID, SpotID: a.SpotID})
}

// recordSearch records a search with its number of hits.
func (l *Library) recordSearch(ctx context.Context, actor, query string, total int) {
	if l.Analytics == nil {
		return
	}
	l.Analytics.Record(ctx, analytics.Event{Type: analytics.Searched, At: l.cfg.Now(), Actor: actor, Query: query, Hits: total})
}

// shareEvents maps share activities to analytics event types.
var shareEvents = map[share.ActivityType]analytics.EventType{
	share.ActPitched:     analytics.ItemPitched,
	share.ActRoomUpdated: analytics.RoomUpdated,
	share.ActOpened:      analytics.LinkOpened,
	share.ActPage:        analytics.PageViewed,
	share.ActDownloaded:  analytics.ExternalDownloaded,
	share.ActClicked:     analytics.LinkClicked,
}

// recordShare records what sellers and buyers did with shares.
func (l *Library) recordShare(ctx context.Context, acts []share.Activity) {
	for _, a := range acts {
		if a.Type == share.ActPage { // one per accepted beacon
			l.metrics.beacons.Inc()
		}
	}
	if l.Analytics == nil {
		return
	}
	evs := make([]analytics.Event, 0, len(acts))
	for _, a := range acts {
		typ, ok := shareEvents[a.Type]
		if !ok {
			continue
		}
		evs = append(evs, analytics.Event{Type: typ, At: a.At, Actor: a.Actor, Recipient: a.Recipient, ItemID: a.ItemID,
			SpotID: a.SpotID, ShareID: a.ShareID, ShareOwner: a.ShareOwner, ViewID: a.ViewID, Page: a.Page,
			ActiveMS: a.ActiveMS, SuspectedBot: a.SuspectedBot})
	}
	l.Analytics.Record(ctx, evs...)
}

// shareResolver tells the influence report what shares hold, from the
// store (as the system: the report applies its own permissions).
type shareResolver struct{ st store.Store }

func (r shareResolver) ResolveShares(ctx context.Context, ids []string) (map[string]analytics.ShareInfo, error) {
	out := map[string]analytics.ShareInfo{}
	for _, id := range ids {
		sh, err := r.st.GetShare(ctx, id)
		if errors.Is(err, share.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		info := analytics.ShareInfo{ID: sh.ID, Owner: sh.OwnerID}
		for _, itemID := range sh.ItemIDs() {
			it, err := r.st.GetItem(ctx, itemID)
			if errors.Is(err, items.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			info.Items = append(info.Items, analytics.SharedItem{ItemID: it.ID, SpotID: it.SpotID})
		}
		out[id] = info
	}
	return out, nil
}
