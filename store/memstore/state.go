package memstore

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// state is everything the store holds. Its methods hold all the logic and
// take no locks; Store decides which state they run on and how it is
// locked.
//
// Values in the maps are never modified in place: a write stores a fresh,
// normalized copy. That is what makes clone cheap (copying the maps is
// enough) and what lets reads hand out copies safely.
type state struct {
	spots      map[string]spots.Spot
	grants     map[grantKey]spots.Grant
	principals map[string]spots.Principal

	// items hold neither Placements nor ListIDs: those are filled on read
	// from placements and members.
	items      map[string]items.Item
	placements map[placementKey]time.Time
	versions   map[string]items.Version
	groups     map[string]items.ListGroup
	lists      map[string]items.List
	members    map[memberKey]bool
	bookmarks  map[bookmarkKey]items.Bookmark

	tokens map[string]auth.Token

	// shares hold their sections, items and contributors (normalized:
	// contributors sorted and unique); links are found by token hash
	// through linkHashes. Page events are kept per view in Seq order; a
	// write replaces a view's slice with a new one, never appends in place,
	// so clones can share the old one.
	shares      map[string]share.Share
	links       map[string]share.Link
	linkHashes  map[string]string
	gateCodes   map[gateKey]share.GateCode
	views       map[string]share.View
	pageEvents  map[string][]share.PageEvent
	pageStats   map[pageStatKey]share.PageStat
	shareEvents []share.Event
	shareSeq    int64
	secrets     map[string][]byte

	audit    []audit.Entry
	auditSeq int64

	// The analytics event log, in ID order, and its roll-ups. Events and
	// roll-up rows hold no slices, so copying the slice and the maps is a
	// deep copy.
	events     []analytics.Event
	eventSeq   int64
	itemDays   map[itemDayKey]analytics.ItemDay
	viewers    map[viewerKey]analytics.ItemViewer
	visitPages map[visitPageKey]analytics.VisitPage
	recipients map[recipientKey]analytics.RecipientTotal
	queryDays  map[queryDayKey]analytics.QueryDay
	actorDays  map[actorDayKey]analytics.ActorDay

	// notices by ID, and the ID of the notice holding each Key.
	notices    map[string]governance.Notice
	noticeKeys map[string]string

	changes   []store.Change
	changeSeq int64
}

type grantKey struct {
	spotID  string
	subject spots.Subject
}

type placementKey struct{ itemID, spotID string }

type memberKey struct{ listID, itemID string }

type bookmarkKey struct{ principalID, itemID string }

type gateKey struct{ linkID, email string }

type pageStatKey struct {
	viewID, itemID string
	page           int
}

func newState() *state {
	return &state{
		spots:      map[string]spots.Spot{},
		grants:     map[grantKey]spots.Grant{},
		principals: map[string]spots.Principal{},
		items:      map[string]items.Item{},
		placements: map[placementKey]time.Time{},
		versions:   map[string]items.Version{},
		groups:     map[string]items.ListGroup{},
		lists:      map[string]items.List{},
		members:    map[memberKey]bool{},
		bookmarks:  map[bookmarkKey]items.Bookmark{},
		tokens:     map[string]auth.Token{},
		shares:     map[string]share.Share{},
		links:      map[string]share.Link{},
		linkHashes: map[string]string{},
		gateCodes:  map[gateKey]share.GateCode{},
		views:      map[string]share.View{},
		pageEvents: map[string][]share.PageEvent{},
		pageStats:  map[pageStatKey]share.PageStat{},
		secrets:    map[string][]byte{},
		itemDays:   map[itemDayKey]analytics.ItemDay{},
		viewers:    map[viewerKey]analytics.ItemViewer{},
		visitPages: map[visitPageKey]analytics.VisitPage{},
		recipients: map[recipientKey]analytics.RecipientTotal{},
		queryDays:  map[queryDayKey]analytics.QueryDay{},
		actorDays:  map[actorDayKey]analytics.ActorDay{},
		notices:    map[string]governance.Notice{},
		noticeKeys: map[string]string{},
	}
}

// clone returns a copy that can be changed without affecting st.
func (st *state) clone() *state {
	return &state{
		spots:      maps.Clone(st.spots),
		grants:     maps.Clone(st.grants),
		principals: maps.Clone(st.principals),
		items:      maps.Clone(st.items),
		placements: maps.Clone(st.placements),
		versions:   maps.Clone(st.versions),
		groups:     maps.Clone(st.groups),
		lists:      maps.Clone(st.lists),
		members:    maps.Clone(st.members),
		bookmarks:  maps.Clone(st.bookmarks),
		tokens:     maps.Clone(st.tokens),
		// Shares, links and byte slices in these maps are never modified in
		// place, so copying the maps is a deep enough copy.
		shares:      maps.Clone(st.shares),
		links:       maps.Clone(st.links),
		linkHashes:  maps.Clone(st.linkHashes),
		gateCodes:   maps.Clone(st.gateCodes),
		views:       maps.Clone(st.views),
		pageEvents:  maps.Clone(st.pageEvents),
		pageStats:   maps.Clone(st.pageStats),
		shareEvents: slices.Clone(st.shareEvents),
		shareSeq:    st.shareSeq,
		secrets:     maps.Clone(st.secrets),
		audit:       slices.Clone(st.audit),
		auditSeq:    st.auditSeq,
		changes:     slices.Clone(st.changes),
		changeSeq:   st.changeSeq,
		events:      slices.Clone(st.events),
		eventSeq:    st.eventSeq,
		itemDays:    maps.Clone(st.itemDays),
		viewers:     maps.Clone(st.viewers),
		visitPages:  maps.Clone(st.visitPages),
		recipients:  maps.Clone(st.recipients),
		queryDays:   maps.Clone(st.queryDays),
		actorDays:   maps.Clone(st.actorDays),
		// Notices hold no slices.
		notices:    maps.Clone(st.notices),
		noticeKeys: maps.Clone(st.noticeKeys),
	}
}

// record appends a change to the feed.
func (st *state) record(e store.Entity, id string, op store.Op) {
	st.changeSeq++
	st.changes = append(st.changes, store.Change{Seq: st.changeSeq, Entity: e, EntityID: id, Op: op})
}

// utc is how every time is stored: UTC, at the microsecond precision the
// SQL adapters keep, so tests written against memstore hold on them too.
// The zero time stays zero.
func utc(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Changes returns the changes after seq, in Seq order, at most limit
// (zero: 1000).
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	return query(ctx, s, func(st *state) ([]store.Change, error) {
		if limit <= 0 {
			limit = 1000
		}
		var out []store.Change
		for _, c := range st.changes {
			if c.Seq > after && len(out) < limit {
				out = append(out, c)
			}
		}
		return out, nil
	})
}

// LastChangeSeq returns the highest Seq, or 0.
func (s *Store) LastChangeSeq(ctx context.Context) (int64, error) {
	return query(ctx, s, func(st *state) (int64, error) {
		if len(st.changes) == 0 {
			return 0, nil
		}
		return st.changes[len(st.changes)-1].Seq, nil
	})
}
