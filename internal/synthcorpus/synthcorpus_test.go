package synthcorpus_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/internal/synthcorpus"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
)

var small = synthcorpus.Options{Items: 250, Seed: 7, Spots: 20, People: 8, BatchSize: 100}

func load(t *testing.T, opt synthcorpus.Options) (*synthcorpus.Corpus, store.Store) {
	t.Helper()
	c := synthcorpus.New(opt)
	st := memstore.New()
	if err := c.Load(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return c, st
}

// allItems returns every stored item, newest (highest ID) first.
func allItems(t *testing.T, st store.Store) []items.Item {
	t.Helper()
	var out []items.Item
	f := items.ItemFilter{AllSpots: true, Limit: 100}
	for {
		page, err := st.ListItems(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		f.BeforeID = page[len(page)-1].ID
	}
}

// norm makes empty slices nil: a store may return either.
func norm(it items.Item) items.Item {
	for _, s := range []*[]string{&it.Placements, &it.ListIDs, &it.Labels, &it.PromotedKeywords} {
		if len(*s) == 0 {
			*s = nil
		}
	}
	return it
}

func TestLoadWritesThePlannedCorpus(t *testing.T) {
	ctx := context.Background()
	c, st := load(t, small)

	ps, err := st.ListPrincipals(ctx, spots.PrincipalFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4+small.People {
		t.Errorf("principals: got %d, want %d", len(ps), 4+small.People)
	}

	stored, err := st.ListSpots(ctx, spots.SpotFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != small.Spots {
		t.Fatalf("spots: got %d, want %d", len(stored), small.Spots)
	}
	kinds := map[spots.Kind]int{}
	for _, s := range c.Spots() {
		got, err := st.GetSpot(ctx, s.ID)
		if err != nil {
			t.Fatalf("spot %q: %v", s.Name, err)
		}
		kinds[got.Kind]++
		if got.Name != s.Name || got.Visibility != s.Visibility || got.Kind != s.Kind {
			t.Errorf("spot %s: got %+v, planned %+v", s.ID, got, s.NewSpot)
		}
		grants, err := st.ListGrants(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(grants) != len(s.Grants)+1 { // and the owner's
			t.Errorf("spot %q: %d grants, want %d", s.Name, len(grants), len(s.Grants)+1)
		}
	}
	if kinds[spots.KindProduct] == 0 || kinds[spots.KindTeam] == 0 || kinds[spots.KindGTM] == 0 {
		t.Errorf("spot kinds: %v", kinds)
	}

	lists, err := st.ListLists(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, g := range c.ListGroups() {
		want += len(g.Lists)
	}
	if len(lists) != want || want == 0 {
		t.Errorf("lists: got %d, want %d", len(lists), want)
	}

	got := allItems(t, st)
	if len(got) != small.Items {
		t.Fatalf("items: got %d, want %d", len(got), small.Items)
	}
	statuses := map[items.Status]int{}
	placed, listed, words := 0, 0, 0
	for k, it := range got {
		planned := c.Item(small.Items - 1 - k) // IDs ascend with creation
		if !reflect.DeepEqual(norm(it), norm(planned.Item)) {
			t.Fatalf("item %d:\n got %+v\nwant %+v", k, it, planned.Item)
		}
		v, err := st.GetVersion(ctx, it.CurrentVersionID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v, planned.Version) {
			t.Fatalf("version of item %d:\n got %+v\nwant %+v", k, v, planned.Version)
		}
		if len(v.Pages) < 2 || len(v.Pages) > 5 {
			t.Errorf("item %d has %d pages", k, len(v.Pages))
		}
		for _, p := range v.Pages {
			words += len(strings.Fields(p))
		}
		statuses[it.Status]++
		placed += len(it.Placements)
		listed += len(it.ListIDs)
	}
	if avg := words / len(got); avg < 250 || avg > 350 {
		t.Errorf("bodies average %d words, want about 300", avg)
	}
	if statuses[items.StatusPublished] < len(got)*2/3 || statuses[items.StatusDraft] == 0 ||
		statuses[items.StatusExpired] == 0 {
		t.Errorf("statuses: %v", statuses)
	}
	if placed == 0 || listed == 0 {
		t.Errorf("placements %d, list memberships %d", placed, listed)
	}
	last, err := st.LastChangeSeq(ctx)
	if err != nil || last == 0 {
		t.Errorf("change feed: %d, %v", last, err)
	}
}

func TestPrincipalsSeeWhatTheirGrantsSay(t *testing.T) {
	ctx := context.Background()
	c, st := load(t, small)
	sp := spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{})
	visible := map[string]int{}
	for _, id := range []string{synthcorpus.AdminID, synthcorpus.EditorID, synthcorpus.ViewerID, synthcorpus.SellerID} {
		vs, err := sp.List(spots.WithPrincipal(ctx, c.Principal(id)))
		if err != nil {
			t.Fatal(err)
		}
		visible[id] = len(vs)
	}
	if visible[synthcorpus.AdminID] != small.Spots {
		t.Errorf("admin sees %d spots, want all %d", visible[synthcorpus.AdminID], small.Spots)
	}
	if !(visible[synthcorpus.ViewerID] < visible[synthcorpus.SellerID] && visible[synthcorpus.SellerID] < small.Spots) {
		t.Errorf("visible spots: %v; want viewer < seller < all", visible)
	}
	editor := spots.WithPrincipal(ctx, c.Principal(synthcorpus.EditorID))
	if len(c.EditorSpotIDs()) == 0 {
		t.Fatal("the editor edits no spot")
	}
	for _, id := range c.EditorSpotIDs() {
		if _, d, err := sp.Decide(editor, id, spots.ActionEdit); err != nil || !d.Allowed || d.Override {
			t.Errorf("editor on %s: %+v, %v", id, d, err)
		}
	}
}

func TestSameSeedSameCorpus(t *testing.T) {
	ctx := context.Background()
	a, sta := load(t, small)
	b, stb := load(t, small)
	if !reflect.DeepEqual(a.Spots(), b.Spots()) || !reflect.DeepEqual(a.Principals(), b.Principals()) ||
		!reflect.DeepEqual(a.ListGroups(), b.ListGroups()) {
		t.Error("the same options planned different spots, principals or lists")
	}
	if !reflect.DeepEqual(allItems(t, sta), allItems(t, stb)) {
		t.Error("the same options stored different items")
	}
	sa, _ := sta.ListSpots(ctx, spots.SpotFilter{})
	sb, _ := stb.ListSpots(ctx, spots.SpotFilter{})
	if !reflect.DeepEqual(sa, sb) {
		t.Error("the same options stored different spots")
	}
	for _, k := range synthcorpus.QueryKinds() {
		if !slices.Equal(a.Queries(k, 20), b.Queries(k, 20)) {
			t.Errorf("%s queries differ", k)
		}
	}

	other := small
	other.Seed++
	c := synthcorpus.New(other)
	if reflect.DeepEqual(a.Item(3), c.Item(3)) || reflect.DeepEqual(a.Spots(), c.Spots()) {
		t.Error("another seed gave the same corpus")
	}
	// Items do not depend on the order they are generated in.
	if !reflect.DeepEqual(a.Item(200), synthcorpus.New(small).Item(200)) {
		t.Error("Item(200) depends on what was generated before")
	}
}

// Every kind of query parses, and finds items for the seller through the
// Library (memsearch over the loaded store).
func TestQueriesFindItems(t *testing.T) {
	ctx := context.Background()
	c, st := load(t, synthcorpus.Options{Items: 400, Seed: 3, Spots: 20, People: 8})
	blobs, err := localblobs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.CatchUp(briefcase.SystemContext(ctx)); err != nil {
		t.Fatal(err)
	}
	seller := briefcase.WithPrincipal(ctx, c.Principal(synthcorpus.SellerID))
	for _, k := range synthcorpus.QueryKinds() {
		found := 0
		qs := c.Queries(k, 10)
		for _, q := range qs {
			if _, err := search.Parse(q); err != nil {
				t.Errorf("%s query %q: %v", k, q, err)
				continue
			}
			res, err := lib.Search.Search(seller, search.Request{Query: q})
			if err != nil {
				t.Fatalf("%s query %q: %v", k, q, err)
			}
			if res.Total > 0 {
				found++
			}
		}
		if found < len(qs)/2 {
			t.Errorf("%s: %d of %d queries found items: %q", k, found, len(qs), qs)
		}
	}
}
