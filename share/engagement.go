package share

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/items"
)

// Detail is a share as its owner sees it: the share, each item's state,
// the links, and the engagement.
type Detail struct {
	Share
	Items      []DetailItem `json:"items"`
	Links      []Link       `json:"links"`
	Engagement Engagement   `json:"engagement"`
}

// DetailItem is a shared item with what buyers get now.
type DetailItem struct {
	SectionID    string       `json:"section_id"`
	ItemID       string       `json:"item_id"`
	Title        string       `json:"title"`
	Availability Availability `json:"availability"`
	// VersionID and VersionNumber are what buyers see.
	VersionID     string `json:"version_id,omitempty"`
	VersionNumber int    `json:"version_number,omitempty"`
	// NewerVersion: the share pins an older version than the item's
	// current one.
	NewerVersion bool `json:"newer_version,omitempty"`
}

// Engagement is what recipients did with a share. Suspected bots are left
// out unless asked for; BotViews counts them either way.
type Engagement struct {
	Views        int                   `json:"views"`
	BotViews     int                   `json:"bot_views"`
	ActiveMS     int64                 `json:"active_ms"`
	LastViewedAt time.Time             `json:"last_viewed_at,omitzero"`
	Recipients   []RecipientEngagement `json:"recipients"`
	Items        []ItemEngagement      `json:"items"`
}

// RecipientEngagement is one recipient's engagement (per link and
// address: an open link counts every verified address apart).
type RecipientEngagement struct {
	LinkID        string           `json:"link_id"`
	Recipient     string           `json:"recipient"`
	Views         int              `json:"views"`
	BotViews      int              `json:"bot_views"`
	ActiveMS      int64            `json:"active_ms"`
	FirstViewedAt time.Time        `json:"first_viewed_at,omitzero"`
	LastViewedAt  time.Time        `json:"last_viewed_at,omitzero"`
	Downloads     int              `json:"downloads"`
	Clicks        int              `json:"clicks"`
	Items         []ItemEngagement `json:"items"`
}

// ItemEngagement is the time spent on one item, page by page.
type ItemEngagement struct {
	ItemID   string `json:"item_id"`
	ActiveMS int64  `json:"active_ms"`
	// Views counts the visits that spent time on the item.
	Views     int              `json:"views"`
	Downloads int              `json:"downloads"`
	Clicks    int              `json:"clicks"`
	Pages     []PageEngagement `json:"pages"`
}

// PageEngagement is the time spent on one page.
type PageEngagement struct {
	Page     int   `json:"page"`
	ActiveMS int64 `json:"active_ms"`
	Views    int   `json:"views"`
}

// Get returns a share with its items, links and engagement (suspected bots
// left out unless includeBots). Owners, contributors, admins and analysts
// may read it.
func (s *Service) Get(ctx context.Context, id string, includeBots bool) (Detail, error) {
	_, sh, err := s.authorizeShare(ctx, id, false)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Share: sh}
	for _, sec := range sh.Sections {
		for _, si := range sec.Items {
			di := DetailItem{SectionID: sec.ID, ItemID: si.ItemID}
			it, err := s.st.GetItem(ctx, si.ItemID)
			di.Availability, err = availability(it, err, s.now())
			if err != nil {
				return Detail{}, fmt.Errorf("share: item %s: %w", si.ItemID, err)
			}
			if di.Availability != MadeInternal {
				// An item made internal may now be in a spot the reader of
				// this share cannot see: its title is not theirs to read.
				di.Title = it.DisplayTitle()
			}
			if di.Availability != Gone {
				di.VersionID = cmp.Or(si.VersionID, it.CurrentVersionID)
				di.NewerVersion = si.VersionID != "" && it.CurrentVersionID != si.VersionID
				if di.VersionID != "" {
					if v, err := s.st.GetVersion(ctx, di.VersionID); err == nil {
						di.VersionNumber = v.Number
					} else if !errors.Is(err, items.ErrNotFound) {
						return Detail{}, err
					}
				}
			}
			d.Items = append(d.Items, di)
		}
	}
	if d.Links, err = s.st.ListLinks(ctx, id); err != nil {
		return Detail{}, fmt.Errorf("share: links: %w", err)
	}
	if d.Engagement, err = s.engagement(ctx, sh, d.Links, includeBots); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// engagement rolls the views, page stats and events of a share up per
// recipient, item and page.
func (s *Service) engagement(ctx context.Context, sh Share, links []Link, includeBots bool) (Engagement, error) {
	views, err := s.st.ListViews(ctx, ViewFilter{ShareID: sh.ID, Limit: 1 << 30})
	if err != nil {
		return Engagement{}, fmt.Errorf("share: views: %w", err)
	}
	stats, err := s.st.ListPageStats(ctx, sh.ID)
	if err != nil {
		return Engagement{}, fmt.Errorf("share: page stats: %w", err)
	}
	events, err := s.st.ListEvents(ctx, sh.ID)
	if err != nil {
		return Engagement{}, fmt.Errorf("share: events: %w", err)
	}
	linkRecipient := map[string]string{}
	for _, l := range links {
		linkRecipient[l.ID] = l.Recipient
	}
	type rkey struct{ link, recipient string }
	recips := map[rkey]*RecipientEngagement{}
	var rorder []rkey
	recipient := func(link, who string) *RecipientEngagement {
		if who == "" {
			who = linkRecipient[link]
		}
		k := rkey{link, who}
		r := recips[k]
		if r == nil {
			r = &RecipientEngagement{LinkID: link, Recipient: who}
			recips[k] = r
			rorder = append(rorder, k)
		}
		return r
	}
	// Every link shows, viewed or not.
	for _, l := range links {
		if l.Recipient != "" {
			recipient(l.ID, l.Recipient)
		}
	}
	var e Engagement
	counted := map[string]*RecipientEngagement{} // view → its recipient, for counted views
	for _, v := range views {
		r := recipient(v.LinkID, v.Recipient)
		if v.SuspectedBot {
			e.BotViews++
			r.BotViews++
			if !includeBots {
				continue
			}
		}
		counted[v.ID] = r
		e.Views++
		r.Views++
		if r.FirstViewedAt.IsZero() || v.StartedAt.Before(r.FirstViewedAt) {
			r.FirstViewedAt = v.StartedAt
		}
		last := v.StartedAt
		if v.LastBeaconAt.After(last) {
			last = v.LastBeaconAt
		}
		r.LastViewedAt = later(r.LastViewedAt, last)
		e.LastViewedAt = later(e.LastViewedAt, last)
	}
	type ikey struct {
		r    *RecipientEngagement
		item string
	}
	perRecipItem := map[ikey]*ItemEngagement{}
	perItem := map[string]*ItemEngagement{}
	itemOf := func(m map[string]*ItemEngagement, id string) *ItemEngagement {
		ie := m[id]
		if ie == nil {
			ie = &ItemEngagement{ItemID: id}
			m[id] = ie
		}
		return ie
	}
	recipItem := func(r *RecipientEngagement, id string) *ItemEngagement {
		k := ikey{r, id}
		ie := perRecipItem[k]
		if ie == nil {
			ie = &ItemEngagement{ItemID: id}
			perRecipItem[k] = ie
		}
		return ie
	}
	viewItem := map[[2]string]bool{}
	for _, st := range stats {
		r, ok := counted[st.ViewID]
		if !ok {
			continue
		}
		e.ActiveMS += st.ActiveMS
		r.ActiveMS += st.ActiveMS
		for _, ie := range []*ItemEngagement{itemOf(perItem, st.ItemID), recipItem(r, st.ItemID)} {
			ie.ActiveMS += st.ActiveMS
			addPage(ie, st.Page, st.ActiveMS)
			if !viewItem[[2]string{st.ViewID, st.ItemID}] {
				ie.Views++
			}
		}
		viewItem[[2]string{st.ViewID, st.ItemID}] = true
	}
	for _, ev := range events {
		if ev.SuspectedBot && !includeBots {
			continue
		}
		if ev.Type != EventDownloaded && ev.Type != EventClicked {
			continue
		}
		r := recipient(ev.LinkID, ev.Recipient)
		for _, ie := range []*ItemEngagement{itemOf(perItem, ev.ItemID), recipItem(r, ev.ItemID)} {
			if ev.Type == EventDownloaded {
				ie.Downloads++
			} else {
				ie.Clicks++
			}
		}
		if ev.Type == EventDownloaded {
			r.Downloads++
		} else {
			r.Clicks++
		}
	}
	order := sh.ItemIDs()
	byShareOrder := func(a, b ItemEngagement) int {
		return cmp.Compare(slices.Index(order, a.ItemID), slices.Index(order, b.ItemID))
	}
	for _, id := range order {
		if ie, ok := perItem[id]; ok {
			e.Items = append(e.Items, *ie)
		}
	}
	for _, k := range rorder {
		r := recips[k]
		for ik, ie := range perRecipItem {
			if ik.r == r {
				r.Items = append(r.Items, *ie)
			}
		}
		slices.SortFunc(r.Items, byShareOrder)
		e.Recipients = append(e.Recipients, *r)
	}
	return e, nil
}

func addPage(ie *ItemEngagement, page int, ms int64) {
	i, found := slices.BinarySearchFunc(ie.Pages, page, func(p PageEngagement, n int) int { return cmp.Compare(p.Page, n) })
	if !found {
		ie.Pages = slices.Insert(ie.Pages, i, PageEngagement{Page: page})
	}
	ie.Pages[i].ActiveMS += ms
	ie.Pages[i].Views++
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
