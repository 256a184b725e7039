package unittest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/examples/unittest"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/memstore"
)

// now is the fixed clock of every test: expiry dates are exact.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a Library on the in-memory store with three people and the
// onboarding spot.
type fixture struct {
	lib                    *briefcase.Library
	manager, hire, someone spots.Principal
	spotID                 string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	is := is.New(t)
	ctx := context.Background()

	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	blobs, err := localblobs.New(t.TempDir())
	is.NoErr(err)
	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, Blobs: blobs, Now: func() time.Time { return now }})
	is.NoErr(err)
	t.Cleanup(func() { lib.Close() })

	// Seed through the services, as the system principal, like a
	// provisioning job would.
	sys := briefcase.SystemContext(ctx)
	save := func(p spots.Principal) spots.Principal {
		p, err := lib.Spots.SavePrincipal(sys, p)
		is.NoErr(err)
		return p
	}
	f := fixture{lib: lib,
		manager: save(spots.Principal{ID: "maria", Name: "Maria Manager", Groups: []string{"sales"}}),
		hire:    save(spots.Principal{ID: "nina", Name: "Nina Newhire", Groups: []string{"sales"}}),
		someone: save(spots.Principal{ID: "oscar", Name: "Oscar Other", Groups: []string{"sales"}}),
	}
	// Owning a spot takes the content-contributor training.
	f.manager, err = lib.Spots.RecordTraining(sys, f.manager.ID, spots.TrainingContentContributor)
	is.NoErr(err)
	spot, err := lib.Spots.Create(briefcase.WithPrincipal(ctx, f.manager),
		spots.NewSpot{Name: "Sales Onboarding", Kind: spots.KindTeam, Visibility: spots.Restricted})
	is.NoErr(err)
	f.spotID = spot.ID
	return f
}

// as returns a context acting as p.
func as(p spots.Principal) context.Context { return briefcase.WithPrincipal(context.Background(), p) }

func TestWelcomePublishesPlanTheHireCanSee(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	o := unittest.Onboarding{Lib: f.lib, SpotID: f.spotID, Now: func() time.Time { return now }}

	it, err := o.Welcome(as(f.manager), f.hire, "https://wiki.example.com/onboarding/nina")
	is.NoErr(err)
	is.Equal(it.Title, "Onboarding plan: Nina Newhire")
	is.Equal(it.SpotID, f.spotID)
	is.Equal(it.Audience, items.Internal) // plans are never shared with buyers
	is.Equal(it.Labels, []string{"onboarding"})
	is.Equal(it.FeedbackOwner, f.manager.ID)
	is.True(it.ExpiresAt.Equal(now.Add(unittest.PlanReview)))

	// The hire now sees the spot and the plan...
	got, err := f.lib.Items.Get(as(f.hire), it.ID)
	is.NoErr(err)
	is.Equal(got.ID, it.ID)
	page, err := f.lib.Items.List(as(f.hire), items.Query{SpotID: f.spotID})
	is.NoErr(err)
	is.Equal(len(page.Items), 1)

	// ...and a colleague outside the spot does not even learn it exists.
	_, err = f.lib.Items.Get(as(f.someone), it.ID)
	is.True(errors.Is(err, items.ErrNotFound))
	is.Equal(briefcase.ErrorCode(err), briefcase.Code("not_found"))
}

func TestWelcomeUnknownHireChangesNothing(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	o := unittest.Onboarding{Lib: f.lib, SpotID: f.spotID}

	_, err := o.Welcome(as(f.manager), spots.Principal{ID: "ghost", Name: "Ghost"}, "https://wiki.example.com/x")
	is.Equal(briefcase.ErrorCode(err), briefcase.Code("invalid"))

	page, err := f.lib.Items.List(as(f.manager), items.Query{SpotID: f.spotID})
	is.NoErr(err)
	is.Equal(len(page.Items), 0) // no plan published
	members, err := f.lib.Spots.Members(as(f.manager), f.spotID)
	is.NoErr(err)
	is.Equal(len(members), 1) // the owner only
}

func TestWelcomeNeedsAManagerOfTheSpot(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	o := unittest.Onboarding{Lib: f.lib, SpotID: f.spotID}

	// A colleague who cannot see the spot cannot onboard anyone into it.
	_, err := o.Welcome(as(f.someone), f.hire, "https://wiki.example.com/onboarding/nina")
	is.Equal(briefcase.ErrorCode(err), briefcase.Code("not_found"))

	// Services fail closed: no principal in the context, no access.
	_, err = o.Welcome(context.Background(), f.hire, "https://wiki.example.com/onboarding/nina")
	is.Equal(briefcase.ErrorCode(err), briefcase.Code("unauthenticated"))
}
