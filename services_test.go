package briefcase_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
	"github.com/matryer/is"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a Library with a few principals.
type env struct {
	lib   *briefcase.Library
	st    store.Store
	clock *clock
	ctx   context.Context
	// notes records every notification the Library sent.
	notes *recorder
}

// recorder is a Notifier that keeps what it was given.
type recorder struct {
	mu    sync.Mutex
	notes []briefcase.Notification
}

func (r *recorder) Notify(_ context.Context, n briefcase.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
	return nil
}

// take returns the notifications of kind sent so far and forgets them.
func (r *recorder) take(kind string) []briefcase.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out, rest []briefcase.Notification
	for _, n := range r.notes {
		if n.Kind == kind {
			out = append(out, n)
		} else {
			rest = append(rest, n)
		}
	}
	r.notes = rest
	return out
}

// as returns a context acting as the stored principal id.
func (e *env) as(t *testing.T, id string) context.Context {
	t.Helper()
	p, err := e.st.GetPrincipal(e.ctx, id)
	if err != nil {
		t.Fatalf("principal %s: %v", id, err)
	}
	return briefcase.WithPrincipal(e.ctx, p)
}

// user saves a principal through the service, as the system.
func (e *env) user(t *testing.T, p spots.Principal) {
	t.Helper()
	if _, err := e.lib.Spots.SavePrincipal(briefcase.SystemContext(e.ctx), p); err != nil {
		t.Fatalf("save %s: %v", p.ID, err)
	}
}

var contributor = []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}

// stores lists the adapters every service test runs against.
var stores = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memstore", func(t *testing.T) store.Store { return memstore.New() }},
	{"sqlite", func(t *testing.T) store.Store {
		db, err := sqlitestore.Open(context.Background(), t.TempDir()+"/briefcase.db", sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
}

// run runs fn once per store with a fresh env holding these principals:
// ada (admin), olivia (owner-grade: trained), eddie (trained editor-grade),
// vic (untrained), sam (seller in group sales).
func run(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st := s.open(t)
			blobs, err := localblobs.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
			rec := &recorder{}
			lib, err := briefcase.New(context.Background(), briefcase.Config{Store: st, Blobs: blobs, Now: c.Now, MaxUploadBytes: 1 << 20, Notifier: rec})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { lib.Close() })
			e := &env{lib: lib, st: st, clock: c, ctx: context.Background(), notes: rec}
			e.user(t, spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}, Trainings: contributor})
			e.user(t, spots.Principal{ID: "olivia", Name: "Olivia Owner", Email: "olivia@example.com", Trainings: contributor})
			e.user(t, spots.Principal{ID: "eddie", Name: "Eddie Editor", Email: "eddie@example.com", Trainings: contributor})
			e.user(t, spots.Principal{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com"})
			e.user(t, spots.Principal{ID: "sam", Name: "Sam Seller", Email: "sam@example.com", Groups: []string{"sales"}})
			fn(t, e)
		})
	}
}

func code(err error) errcode.Code { return briefcase.ErrorCode(err) }

func TestServicesFailClosedWithoutPrincipal(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		ctx := e.ctx // no principal
		_, err := e.lib.Spots.Create(ctx, spots.NewSpot{Name: "x"})
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.lib.Spots.List(ctx)
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.lib.Spots.PersonalSpot(ctx)
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.lib.Items.Get(ctx, "anything")
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.lib.Items.ListGroups(ctx)
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.lib.Items.Bookmarks(ctx)
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.lib.Spots.SavePrincipal(ctx, spots.Principal{ID: "mallory"})
		is.Equal(code(err), errcode.Unauthenticated)
		_, err = e.st.GetPrincipal(ctx, "mallory")
		is.True(errors.Is(err, spots.ErrNotFound)) // nothing was written
	})
}

func TestSpotCreateRules(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		olivia := e.as(t, "olivia")
		_, err := e.lib.Spots.Create(olivia, spots.NewSpot{Name: "  ", Kind: "blog", Visibility: "secret", Region: "EU West"})
		is.Equal(code(err), errcode.Invalid)
		f := errcode.FieldsOf(err)
		is.Equal(len(f), 4) // every bad field is named at once
		is.True(f["name"] != "" && f["kind"] != "" && f["visibility"] != "" && f["region"] != "")

		_, err = e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Mine", Kind: spots.KindPersonal})
		is.True(errcode.FieldsOf(err)["kind"] != "") // personal spots are not made by hand

		_, err = e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Official", Official: true})
		is.Equal(code(err), errcode.Forbidden) // official spots are for admins

		_, err = e.lib.Spots.Create(e.as(t, "vic"), spots.NewSpot{Name: "Vic's"})
		is.Equal(code(err), errcode.Invalid)
		is.True(errcode.FieldsOf(err)["owner_id"] != "") // owning needs the training

		all, err := e.st.ListSpots(e.ctx, spots.SpotFilter{})
		is.NoErr(err)
		is.Equal(len(all), 0) // refused creations wrote nothing

		s, err := e.lib.Spots.Create(olivia, spots.NewSpot{Name: " Product Launch ", Kind: spots.KindProduct, Region: "EMEA"})
		is.NoErr(err)
		is.Equal(s.Name, "Product Launch")
		is.Equal(s.Visibility, spots.Restricted) // restricted by default
		is.Equal(s.Region, "emea")
		is.Equal(s.CreatedAt, e.clock.Now())
		grants, err := e.lib.Spots.Members(olivia, s.ID)
		is.NoErr(err)
		is.Equal(len(grants), 1)
		is.Equal(grants[0].Subject, spots.User("olivia"))
		is.Equal(grants[0].Role, spots.Owner)

		// An admin creates an official spot owned by someone else: audited override.
		o, err := e.lib.Spots.Create(e.as(t, "ada"), spots.NewSpot{Name: "Official", Official: true, Visibility: spots.Public, OwnerID: "eddie"})
		is.NoErr(err)
		entries, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: o.ID})
		is.NoErr(err)
		is.Equal(len(entries), 1)
		is.Equal(entries[0].Action, "spot.create")
		is.True(entries[0].Override)
	})
}

func TestSpotMembershipRules(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		olivia, eddie, ada := e.as(t, "olivia"), e.as(t, "eddie"), e.as(t, "ada")
		s, err := e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Battlecards"})
		is.NoErr(err)

		// Editor and stronger only for trained users.
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("vic"), spots.Editor)
		is.Equal(code(err), errcode.Invalid)
		is.True(errcode.FieldsOf(err)["role"] != "")
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("vic"), spots.Viewer)
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("nobody"), spots.Viewer)
		is.True(errcode.FieldsOf(err)["subject"] != "") // unknown users are refused
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("eddie"), spots.Editor)
		is.NoErr(err)

		// Editors grant editor and viewer, never coowner.
		_, err = e.lib.Spots.Grant(eddie, s.ID, spots.Group("sales"), spots.Viewer)
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(eddie, s.ID, spots.User("ada"), spots.Coowner)
		is.Equal(code(err), errcode.Forbidden)
		// A viewer manages nothing; an outsider does not even see the spot.
		_, err = e.lib.Spots.Grant(e.as(t, "vic"), s.ID, spots.User("sam"), spots.Viewer)
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Spots.Grant(e.as(t, "ada"), s.ID, spots.Group(""), spots.Viewer)
		is.Equal(code(err), errcode.Invalid)

		// Coowners grant coowner; editors may not revoke them.
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("ada"), spots.Coowner)
		is.NoErr(err)
		is.Equal(code(e.lib.Spots.Revoke(eddie, s.ID, spots.User("ada"))), errcode.Forbidden)

		// The owner cannot be removed or demoted, only replaced by transfer.
		is.Equal(code(e.lib.Spots.Revoke(ada, s.ID, spots.User("olivia"))), errcode.FailedPrecondition)
		_, err = e.lib.Spots.Grant(ada, s.ID, spots.User("olivia"), spots.Viewer)
		is.Equal(code(err), errcode.FailedPrecondition)
		_, err = e.lib.Spots.Grant(ada, s.ID, spots.Group("sales"), spots.Owner)
		is.Equal(code(err), errcode.Invalid) // the owner is a user
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("eddie"), spots.Owner)
		is.NoErr(err)
		grants, err := e.lib.Spots.Members(olivia, s.ID)
		is.NoErr(err)
		roles := map[string]spots.Role{}
		owners := 0
		for _, g := range grants {
			roles[g.Subject.String()] = g.Role
			if g.Role == spots.Owner {
				owners++
			}
		}
		is.Equal(owners, 1) // exactly one owner
		is.Equal(roles["user:eddie"], spots.Owner)
		is.Equal(roles["user:olivia"], spots.Coowner) // the previous owner stays as coowner
		is.Equal(roles["group:sales"], spots.Viewer)

		// Group members see the spot; the training cap applies to group grants.
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.Group("sales"), spots.Editor)
		is.NoErr(err)
		_, d, err := e.lib.Spots.Decide(e.as(t, "sam"), s.ID, spots.ActionEdit)
		is.NoErr(err)
		is.True(!d.Allowed) // sam has no training: capped to viewer
		_, err = e.lib.Spots.Get(e.as(t, "sam"), s.ID)
		is.NoErr(err)

		is.NoErr(e.lib.Spots.Revoke(olivia, s.ID, spots.Group("sales")))
		_, err = e.lib.Spots.Get(e.as(t, "sam"), s.ID)
		is.Equal(code(err), errcode.NotFound) // restricted spots do not leak
		is.Equal(code(e.lib.Spots.Revoke(olivia, s.ID, spots.Group("sales"))), errcode.NotFound)

		log, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: s.ID, Limit: 100})
		is.NoErr(err)
		var grantsLogged int
		for _, en := range log {
			if en.Action == "spot.grant" || en.Action == "spot.revoke" {
				grantsLogged++
			}
		}
		is.Equal(grantsLogged, 8) // every permission change is audited
	})
}

func TestTrainingRevocationTakesRightsAway(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		s, err := e.lib.Spots.Create(e.as(t, "olivia"), spots.NewSpot{Name: "Plays"})
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(e.as(t, "olivia"), s.ID, spots.User("eddie"), spots.Editor)
		is.NoErr(err)
		_, err = e.lib.Spots.Update(e.as(t, "eddie"), s.ID, spots.SpotPatch{Description: ptr("edited")})
		is.NoErr(err)

		_, err = e.lib.Spots.RevokeTraining(e.as(t, "eddie"), "eddie", spots.TrainingContentContributor)
		is.Equal(code(err), errcode.Forbidden) // only admins
		_, err = e.lib.Spots.RevokeTraining(e.as(t, "ada"), "eddie", spots.TrainingContentContributor)
		is.NoErr(err)
		_, err = e.lib.Spots.Update(e.as(t, "eddie"), s.ID, spots.SpotPatch{Description: ptr("again")})
		is.Equal(code(err), errcode.Forbidden)
		got, err := e.lib.Spots.Get(e.as(t, "eddie"), s.ID)
		is.NoErr(err)
		is.Equal(got.Description, "edited") // the refused update changed nothing

		_, err = e.lib.Spots.RecordTraining(e.as(t, "ada"), "eddie", "bad name!")
		is.True(errcode.FieldsOf(err)["training"] != "")
		_, err = e.lib.Spots.RecordTraining(e.as(t, "ada"), "nobody", spots.TrainingContentContributor)
		is.Equal(code(err), errcode.NotFound)
	})
}

func TestSpotDeleteRules(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		olivia := e.as(t, "olivia")
		s, err := e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Temp"})
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(olivia, s.ID, spots.User("eddie"), spots.Editor)
		is.NoErr(err)
		is.Equal(code(e.lib.Spots.Delete(e.as(t, "eddie"), s.ID)), errcode.Forbidden)
		is.Equal(code(e.lib.Spots.Delete(e.as(t, "vic"), s.ID)), errcode.NotFound)

		personal, err := e.lib.Spots.PersonalSpot(olivia)
		is.NoErr(err)
		is.Equal(code(e.lib.Spots.Delete(olivia, personal.ID)), errcode.Forbidden) // no one deletes a personal spot

		is.NoErr(e.lib.Spots.Delete(e.as(t, "ada"), s.ID)) // admin override, audited
		_, err = e.st.GetSpot(e.ctx, s.ID)
		is.True(errors.Is(err, spots.ErrNotFound))
		log, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: s.ID, Limit: 100})
		is.NoErr(err)
		last := log[len(log)-1]
		is.Equal(last.Action, "spot.delete")
		is.True(last.Override)
	})
}

func TestPersonalSpot(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		sam := e.as(t, "sam")
		var wg sync.WaitGroup
		ids := make([]string, 8)
		errs := make([]error, 8)
		for i := range ids {
			wg.Go(func() {
				s, err := e.lib.Spots.PersonalSpot(sam)
				ids[i], errs[i] = s.ID, err
			})
		}
		wg.Wait()
		for i := range ids {
			is.NoErr(errs[i])
			is.Equal(ids[i], ids[0]) // exactly one personal spot, even under a race
		}
		s, err := e.lib.Spots.Get(sam, ids[0])
		is.NoErr(err)
		is.Equal(s.Name, "Sam Spot")
		is.Equal(s.Kind, spots.KindPersonal)

		_, err = e.lib.Spots.Get(e.as(t, "olivia"), s.ID)
		is.Equal(code(err), errcode.NotFound) // private to its owner
		_, err = e.lib.Spots.Grant(sam, s.ID, spots.User("vic"), spots.Viewer)
		is.True(err != nil) // no members in personal spots
		_, err = e.lib.Spots.Update(sam, s.ID, spots.SpotPatch{Visibility: ptr(spots.Public)})
		is.True(errcode.FieldsOf(err)["visibility"] != "")

		// An admin reaches it only through an audited override, and never lists it.
		_, err = e.lib.Spots.Get(e.as(t, "ada"), s.ID)
		is.NoErr(err)
		log, err := e.st.ListAudit(e.ctx, audit.Filter{TargetID: s.ID, Actor: "ada"})
		is.NoErr(err)
		is.Equal(len(log), 1)
		is.True(log[0].Override)
		listed, err := e.lib.Spots.List(e.as(t, "ada"))
		is.NoErr(err)
		for _, v := range listed {
			is.True(v.ID != s.ID)
		}
	})
}

func TestSpotListVisibility(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		olivia, ada := e.as(t, "olivia"), e.as(t, "ada")
		public, err := e.lib.Spots.Create(ada, spots.NewSpot{Name: "Company", Visibility: spots.Public, Official: true})
		is.NoErr(err)
		sales, err := e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Sales Plays"})
		is.NoErr(err)
		secret, err := e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Board"})
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(olivia, sales.ID, spots.Group("sales"), spots.Viewer)
		is.NoErr(err)
		_, err = e.lib.Spots.PersonalSpot(olivia)
		is.NoErr(err)
		samPersonal, err := e.lib.Spots.PersonalSpot(e.as(t, "sam"))
		is.NoErr(err)

		names := func(ctx context.Context) []string {
			vs, err := e.lib.Spots.List(ctx)
			is.NoErr(err)
			var out []string
			for _, v := range vs {
				out = append(out, v.Name)
			}
			return out
		}
		is.Equal(names(e.as(t, "sam")), []string{"Company", "Sales Plays", "Sam Spot"})
		is.Equal(names(e.as(t, "vic")), []string{"Company"})
		is.Equal(names(olivia), []string{"Board", "Company", "Olivia Spot", "Sales Plays"})
		is.Equal(names(ada), []string{"Board", "Company", "Sales Plays"}) // admins list every non-personal spot
		ids, err := e.lib.Spots.VisibleSpotIDs(e.as(t, "sam"))
		is.NoErr(err)
		is.Equal(len(ids), 3)
		for _, id := range ids {
			is.True(id != secret.ID) // never a spot sam may not view
		}
		is.True(contains(ids, public.ID) && contains(ids, sales.ID) && contains(ids, samPersonal.ID))
	})
}

func ptr[T any](v T) *T { return &v }

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
