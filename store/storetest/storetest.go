package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// Run tests a store.Store implementation against the contract of the
// store, spots, items, audit, auth, share and governance packages. newStore must return a new,
// empty store each time it is called; Run calls it once per subtest and
// closes the store when the subtest ends. See the package documentation for
// what each subtest expects.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	areas := []struct {
		name  string
		tests []subtest
	}{
		{"Spots", spotTests},
		{"Grants", grantTests},
		{"Principals", principalTests},
		{"Items", itemTests},
		{"Placements", placementTests},
		{"Versions", versionTests},
		{"Lists", listTests},
		{"Bookmarks", bookmarkTests},
		{"ListItems", listItemsTests},
		{"Cascade", cascadeTests},
		{"Audit", auditTests},
		{"Tokens", tokenTests},
		{"Shares", shareTests},
		{"Links", linkTests},
		{"GateCodes", gateCodeTests},
		{"Views", viewTests},
		{"PageEvents", pageEventTests},
		{"ShareEvents", shareEventTests},
		{"Secrets", secretTests},
		{"ShareAtomic", shareAtomicTests},
		{"Sweep", sweepTests},
		{"Notices", noticeTests},
		{"GovernanceAtomic", governanceAtomicTests},
		{"ChangeFeed", changeFeedTests},
		{"Atomic", atomicTests},
		{"Concurrency", concurrencyTests},
	}
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			for _, st := range area.tests {
				t.Run(st.name, func(t *testing.T) {
					st.run(newEnv(t, newStore))
				})
			}
		})
	}
}

// subtest is one leaf test; it gets a fresh, empty store.
type subtest struct {
	name string
	run  func(e *env)
}

// env is what a subtest works with: a fresh store and helpers that build
// fully populated fixtures.
type env struct {
	t   *testing.T
	is  *is.I
	ctx context.Context
	s   store.Store
	// clock hands out distinct, increasing times in a non-UTC zone; the
	// concurrency tests build fixtures from several goroutines.
	mu    sync.Mutex
	clock time.Time
}

func newEnv(t *testing.T, newStore func(t *testing.T) store.Store) *env {
	s := newStore(t)
	if s == nil {
		t.Fatal("newStore returned a nil store")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{t: t, is: is.New(t), ctx: t.Context(), s: s, clock: baseTime}
}

// zone is deliberately not UTC: stores must convert on the way in and
// return UTC on the way out.
var zone = time.FixedZone("UTC+05:30", 5*3600+30*60)

// baseTime has a non-zero microsecond part, truncated to microseconds (the
// precision the contract requires).
var baseTime = time.Date(2025, 3, 14, 15, 9, 26, 535897000, zone)

// now returns a new time, one second and one microsecond after the
// previous one, in zone.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = e.clock.Add(time.Second + time.Microsecond)
	return e.clock
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// spot returns a fully populated, non-personal spot (not stored).
func (e *env) spot(name string) spots.Spot {
	created := e.now()
	return spots.Spot{
		ID: newID(), Name: name, Description: "Everything about " + name, Kind: spots.KindProduct,
		Official: true, Visibility: spots.Public, Region: "emea",
		// OwnerID is only set on personal spots; personalSpot covers it.
		CreatedAt: created, UpdatedAt: created.Add(time.Hour),
		Policy: []byte(`{"expired":"flag","notice_days":[30,7,0]}`),
	}
}

// personalSpot returns a personal spot of ownerID (not stored).
func (e *env) personalSpot(ownerID string) spots.Spot {
	s := e.spot(ownerID + " Spot")
	s.Kind, s.Visibility, s.Official, s.OwnerID, s.Region = spots.KindPersonal, spots.Restricted, false, ownerID, ""
	return s
}

// createSpot stores a fully populated spot named name and returns it.
func (e *env) createSpot(name string) spots.Spot {
	e.t.Helper()
	s := e.spot(name)
	noErr(e.t, e.s.CreateSpot(e.ctx, s), "CreateSpot "+name)
	return s
}

// item returns a fully populated item homed in spotID (not stored).
func (e *env) item(spotID, title string) items.Item {
	created := e.now()
	return items.Item{
		ID: newID(), SpotID: spotID, Kind: items.KindPresentation, Title: title,
		Description: "About " + title, ExternalTitle: title + " (external)", ExternalDescription: "For buyers",
		Audience: items.External, Downloadable: true, Author: "Alice Smith", FeedbackOwner: "alice",
		Owners: []spots.Subject{spots.Group("marketing"), spots.User("alice")},
		Labels: []string{"2025", "pricing"}, AvailableAt: created.Add(-time.Hour),
		ExpiresAt: created.Add(90 * 24 * time.Hour), VerifiedAt: created.Add(-time.Minute),
		VerifyBy: created.Add(30 * 24 * time.Hour), Promoted: true, PromotedKeywords: []string{"deck", "q3"},
		Source: items.Source{Type: items.SourceConnector, URL: "https://drive.example.com/f/1", Connector: "gdrive", ExternalID: "1AbC"},
		Status: items.StatusPublished,
		// Hidden is set so that it round-trips; the ListItems tests that
		// filter on it set it themselves.
		Hidden: true, SubmittedAt: created.Add(-2 * time.Hour), SweepAt: created.Add(7 * 24 * time.Hour),
		CurrentVersionID: newID(), CreatedBy: "alice", CreatedAt: created, UpdatedAt: created.Add(time.Minute),
	}
}

// createItem stores a fully populated item and returns it.
func (e *env) createItem(spotID, title string, mods ...func(*items.Item)) items.Item {
	e.t.Helper()
	it := e.item(spotID, title)
	for _, m := range mods {
		m(&it)
	}
	noErr(e.t, e.s.CreateItem(e.ctx, it), "CreateItem "+title)
	return it
}

// version returns a fully populated version of itemID (not stored).
func (e *env) version(itemID string, number int) items.Version {
	return items.Version{
		ID: newID(), ItemID: itemID, Number: number, BlobKey: "blob-" + newID(),
		SHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		MIMEType: "application/pdf", Size: 123456, Filename: "deck.pdf", PageCount: 3,
		Pages: []string{"page one", "page two", "page three"}, CreatedBy: "alice", CreatedAt: e.now(),
	}
}

func (e *env) listGroup(name string) items.ListGroup {
	created := e.now()
	return items.ListGroup{ID: newID(), Name: name, CreatedAt: created, UpdatedAt: created.Add(time.Second)}
}

func (e *env) list(groupID, name string) items.List {
	created := e.now()
	return items.List{ID: newID(), GroupID: groupID, Name: name, CreatedAt: created, UpdatedAt: created.Add(time.Second)}
}

func (e *env) principal(id string) spots.Principal {
	created := e.now()
	return spots.Principal{
		ID: id, Email: id + "@example.com", Name: "Alice Smith",
		Groups:    []string{"emea", "sales"},
		Roles:     []spots.PlatformRole{spots.Admin, spots.Analyst},
		Trainings: []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: created.Add(-time.Hour)}, {Name: "user", CompletedAt: created}},
		CreatedAt: created, UpdatedAt: created.Add(time.Minute),
		System: true, // never stored; must come back false
	}
}

func (e *env) grant(spotID string, subject spots.Subject, role spots.Role) spots.Grant {
	return spots.Grant{SpotID: spotID, Subject: subject, Role: role, GrantedBy: "bob", GrantedAt: e.now()}
}

func (e *env) token(principalID string) auth.Token {
	created := e.now()
	return auth.Token{ID: newID(), PrincipalID: principalID, Name: "ci", Hash: auth.Hash("bc_" + newID()),
		CreatedAt: created, ExpiresAt: created.Add(24 * time.Hour)}
}

func (e *env) entry(action string) audit.Entry {
	return audit.Entry{
		At: e.now(), Actor: "alice", Action: action, TargetKind: "item", TargetID: newID(), SpotID: newID(),
		Override: true, Reason: "admin override",
		Before: json.RawMessage(`{"title":"old","n":1}`), After: json.RawMessage(`{"title":"new","n":2}`),
	}
}

// getItem reads an item and fails the test on error.
func (e *env) getItem(id string) items.Item {
	e.t.Helper()
	it, err := e.s.GetItem(e.ctx, id)
	noErr(e.t, err, "GetItem "+id)
	return it
}

// listItems runs ListItems and returns the IDs, failing on error.
func (e *env) listItems(f items.ItemFilter) []string {
	e.t.Helper()
	list, err := e.s.ListItems(e.ctx, f)
	noErr(e.t, err, "ListItems")
	return ids(list, func(it items.Item) string { return it.ID })
}

// walkItems pages through ListItems with the BeforeID cursor until an
// empty page, and fails when a page breaks the cursor contract (which would
// otherwise loop forever).
func (e *env) walkItems(f items.ItemFilter) []string {
	e.t.Helper()
	var all []string
	f.BeforeID = ""
	for {
		page := e.listItems(f)
		if len(page) == 0 {
			return all
		}
		for _, id := range page {
			if f.BeforeID != "" && id >= f.BeforeID {
				e.t.Fatalf("ListItems(BeforeID %q) returned %s: only items with a lower ID may come back", f.BeforeID, id)
			}
		}
		all = append(all, page...)
		f.BeforeID = page[len(page)-1]
	}
}

func itemID(it items.Item) string      { return it.ID }
func spotID(s spots.Spot) string       { return s.ID }
func listID(l items.List) string       { return l.ID }
func groupID(g items.ListGroup) string { return g.ID }
