package briefcase_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/matryer/is"
)

// What each principal may find in the corpus, written out by hand.
var (
	// Product Hub is public: every principal sees its published, expiring
	// and expired items, and Mercy's case study placed there.
	seenByAll = []string{
		"API Integration Guide", "Analytics Dashboard Screenshots", "Case Study: City of Riverton", "Case Study: First Harbor Bank",
		"Case Study: Mercy Regional Health", "Churn Early Warning Playbook", "Customer Onboarding Guide", "Data Processing Addendum",
		"Enterprise Tier Pricing FAQ", "Implementation Timeline Template", "Legacy Pricing 2024", "Mutual Action Plan Template",
		"Northwind Platform Overview", "Northwind Pricing Sheet 2026", "Northwind ROI Calculator", "Product Demo Video",
		"Public Sector Procurement Guide", "Security Whitepaper", "Webinar: Modern Data Governance",
	}
	// vic views Healthcare Team; its draft stays hidden.
	seenByVic = titleUnion(seenByAll, []string{"HIPAA Compliance Brief", "Healthcare Discovery Questions", "Healthcare Pricing Addendum",
		"Payer Analytics Pitch Deck"})
	// sam views Enterprise Sales through group sales: its published items
	// and the two placed there from spots sam cannot see.
	seenBySam = titleUnion(seenByAll, []string{"Champion Email Templates", "Competitive Landscape Overview", "Enterprise Discovery Call Guide",
		"Enterprise Sales Deck", "Executive Business Review Deck", "FedRAMP Readiness Checklist", "Finance Vertical Pitch Deck",
		"Launch Pricing Changes", "Negotiation Guardrails", "Objection Handling Playbook", "Proposal Template"})
	// eddie edits Competitive Intel: all of it, drafts and reviews included,
	// but never Product Hub's drafts.
	seenByEddie = titleUnion(seenByAll, []string{"Acme Battlecard", "Acme Migration Guide", "Acme vs Northwind Competitive One-Pager",
		"Competitive Landscape Overview", "Globex Battlecard", "Globex Pricing Teardown", "Initech Battlecard", "Win-Loss Analysis 2025"})
	// tess alone sees her personal item.
	seenByTess = titleUnion(seenByAll, []string{"Tess Discovery Call Notes"})
	// ada sees every non-personal spot in every status.
	seenByAda = func() []string {
		var out []string
		for _, ci := range corpus {
			if ci.Spot != "tess" {
				out = append(out, ci.Title)
			}
		}
		return sortedTitles(out)
	}()
)

func TestSearchPermissions(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		type want map[string][]string // by query
		for _, tc := range []struct {
			who  string
			want want
		}{
			{"nora", want{
				"":           seenByAll,
				"pricing":    {"Enterprise Tier Pricing FAQ", "Legacy Pricing 2024", "Northwind Pricing Sheet 2026"},
				"battlecard": {},
				"acme":       {},
				"discovery":  {"Northwind Platform Overview", "Product Demo Video", "Webinar: Modern Data Governance"},
				"roadmap":    {}, // a draft of Product Hub
			}},
			{"vic", want{
				"":             seenByVic,
				"pricing":      {"Enterprise Tier Pricing FAQ", "Healthcare Pricing Addendum", "Legacy Pricing 2024", "Northwind Pricing Sheet 2026"},
				"battlecard":   {},
				"acme":         {},
				"discovery":    {"Healthcare Discovery Questions", "Northwind Platform Overview", "Product Demo Video", "Webinar: Modern Data Governance"},
				`"click path"`: {}, // a draft of the spot vic views
			}},
			{"sam", want{
				"": seenBySam,
				"pricing": {"Enterprise Sales Deck", "Enterprise Tier Pricing FAQ", "Launch Pricing Changes", "Legacy Pricing 2024",
					"Negotiation Guardrails", "Northwind Pricing Sheet 2026"},
				"battlecard": {"Competitive Landscape Overview", "Objection Handling Playbook"},
				"acme":       {"Competitive Landscape Overview", "Objection Handling Playbook"},
				"discovery": {"Enterprise Discovery Call Guide", "Enterprise Sales Deck", "Finance Vertical Pitch Deck", "Northwind Platform Overview",
					"Product Demo Video", "Webinar: Modern Data Governance"},
				`"renewal playbook"`: {}, // a draft of the spot sam views
			}},
			{"eddie", want{
				"":           seenByEddie,
				"pricing":    {"Enterprise Tier Pricing FAQ", "Globex Pricing Teardown", "Legacy Pricing 2024", "Northwind Pricing Sheet 2026"},
				"battlecard": {"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Initech Battlecard"},
				"acme": {"Acme Battlecard", "Acme Migration Guide", "Acme vs Northwind Competitive One-Pager", "Competitive Landscape Overview",
					"Win-Loss Analysis 2025"},
				"discovery": {"Acme vs Northwind Competitive One-Pager", "Northwind Platform Overview", "Product Demo Video", "Webinar: Modern Data Governance"},
				"roadmap":   {},
			}},
			{"tess", want{
				"":           seenByTess,
				"pricing":    {"Enterprise Tier Pricing FAQ", "Legacy Pricing 2024", "Northwind Pricing Sheet 2026", "Tess Discovery Call Notes"},
				"battlecard": {},
				"acme":       {"Tess Discovery Call Notes"},
				"discovery":  {"Northwind Platform Overview", "Product Demo Video", "Tess Discovery Call Notes", "Webinar: Modern Data Governance"},
			}},
			{"ada", want{
				"": seenByAda,
				"pricing": {"Enterprise Sales Deck", "Enterprise Tier Pricing FAQ", "Globex Pricing Teardown", "Healthcare Pricing Addendum",
					"Launch Pricing Changes", "Legacy Pricing 2024", "Negotiation Guardrails", "Northwind Pricing Sheet 2026"},
				"battlecard": {"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Initech Battlecard", "Objection Handling Playbook"},
				"acme": {"Acme Battlecard", "Acme Migration Guide", "Acme vs Northwind Competitive One-Pager", "Competitive Landscape Overview",
					"Objection Handling Playbook", "Win-Loss Analysis 2025"},
				"discovery": {"Acme vs Northwind Competitive One-Pager", "Enterprise Discovery Call Guide", "Enterprise Sales Deck",
					"Finance Vertical Pitch Deck", "Healthcare Discovery Questions", "Northwind Platform Overview", "Product Demo Video",
					"Webinar: Modern Data Governance"},
				"roadmap OR initech OR press": {"Competitive Landscape Overview", "Initech Battlecard", "Launch Press Release",
					"Product Roadmap Preview"}, // drafts of three spots
			}},
		} {
			for q, want := range tc.want {
				t.Run(tc.who+" "+q, func(t *testing.T) {
					is := is.New(t)
					got, total := c.searchAll(t, tc.who, search.Request{Query: q}, search.MaxLimit)
					is.Equal(sortedTitles(got), sortedTitles(want))
					is.Equal(total, len(want))
				})
			}
		}

		t.Run("hidden statuses", func(t *testing.T) {
			hidden := []items.Status{items.StatusDraft, items.StatusInReview, items.StatusScheduled, items.StatusArchived}
			for who, want := range map[string][]string{
				"nora":  {},
				"vic":   {},
				"sam":   {},
				"tess":  {},
				"eddie": {"Acme Migration Guide", "Initech Battlecard"}, // in his spot only
				"ada": {"Clinical Workflow Demo Script", "Enterprise Renewal Playbook", "Initech Battlecard", "Launch Press Release",
					"Acme Migration Guide", "Northwind Brand Guidelines", "Product Roadmap Preview", "Q4 Territory Plan", "Release Notes Q2"},
			} {
				t.Run(who, func(t *testing.T) {
					is := is.New(t)
					got, total := c.searchAll(t, who, search.Request{Statuses: hidden}, search.MaxLimit)
					is.Equal(sortedTitles(got), sortedTitles(want))
					is.Equal(total, len(want))
				})
			}
		})

		t.Run("a group grant comes and goes", func(t *testing.T) {
			is := is.New(t)
			olivia := c.as(t, "olivia")
			is.NoErr(c.lib.Spots.Revoke(olivia, c.spot["ent"].ID, spots.Group("sales")))
			got, _ := c.searchAll(t, "sam", search.Request{}, search.MaxLimit)
			is.Equal(sortedTitles(got), seenByAll) // access is decided at search time
			_, err := c.lib.Spots.Grant(olivia, c.spot["ent"].ID, spots.Group("sales"), spots.Viewer)
			is.NoErr(err)
			got, _ = c.searchAll(t, "sam", search.Request{}, search.MaxLimit)
			is.Equal(sortedTitles(got), seenBySam)
		})
	})
}

// leakProbe is a request run for every principal.
type leakProbe struct {
	req search.Request
	// orQuery is the query as the relaxed retry runs it.
	orQuery string
}

func TestSearchNeverLeaks(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		principals := []string{"ada", "olivia", "eddie", "vic", "sam", "tess", "nora"}
		// check runs every probe for every principal; seen, when given, is
		// what the ground truth must hold for each principal.
		check := func(t *testing.T, seen map[string][]string) {
			all, err := c.st.ListItems(c.ctx, items.ItemFilter{AllSpots: true, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]items.Item{}
			for _, it := range all {
				byID[it.ID] = it
			}
			probes := []leakProbe{
				{req: search.Request{}},
				{req: search.Request{Query: "pricing"}},
				{req: search.Request{Query: "acme OR pricing OR deck OR playbook"}},
				{req: search.Request{Query: "acme pricing"}, orQuery: "acme OR pricing"}, // both words only in tess's notes
				{req: search.Request{Query: "hipaa globex"}, orQuery: "hipaa OR globex"},
				{req: search.Request{Query: `"case study" OR spot:healthcare OR list:finance`}},
				{req: search.Request{Query: "-acme -pricing"}},
				{req: search.Request{Query: "NOT northwind"}},
				{req: search.Request{Query: "owner:eddie OR owner:sales OR author:tess"}},
				{req: search.Request{Query: "how do we price against acme?"}},
				{req: search.Request{Statuses: items.Statuses}},
				{req: search.Request{Statuses: []items.Status{items.StatusDraft, items.StatusInReview, items.StatusArchived}}},
				{req: search.Request{Query: "discovery", Sort: search.SortTitle}},
				{req: search.Request{Sort: search.SortTrending}},
			}
			// Drill into every facet value anyone could see.
			sys := briefcase.SystemContext(c.ctx)
			everything, err := c.lib.Search.Search(sys, search.Request{Statuses: items.Statuses, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range everything.Facets["spot"] {
				probes = append(probes, leakProbe{req: search.Request{SpotIDs: []string{v.Value}}})
			}
			for _, v := range everything.Facets["list"] {
				probes = append(probes, leakProbe{req: search.Request{ListIDs: []string{v.Value}, Query: "northwind OR pricing OR case"}})
			}
			for _, v := range everything.Facets["type"] {
				probes = append(probes, leakProbe{req: search.Request{Kinds: []items.Kind{items.Kind(v.Value)}}})
			}
			for _, v := range everything.Facets["audience"] {
				probes = append(probes, leakProbe{req: search.Request{Audience: items.Audience(v.Value), Statuses: items.Statuses}})
			}
			if len(probes) < 30 {
				t.Fatalf("only %d probes: the facets of the whole corpus are missing", len(probes))
			}

			for _, who := range principals {
				ctx := c.as(t, who)
				p, _ := spots.PrincipalFrom(ctx)
				// The ground truth: what Items.Get lets the principal open.
				visible := map[string]bool{}
				var visibleTitles []string
				for id, it := range byID {
					if visible[id] = c.mayFind(t, p, it); visible[id] {
						visibleTitles = append(visibleTitles, c.title[id])
					}
				}
				if want, ok := seen[who]; ok && !slices.Equal(sortedTitles(visibleTitles), want) {
					t.Fatalf("ground truth for %s: %q, want %q", who, sortedTitles(visibleTitles), want)
				}
				vs, err := c.lib.Spots.List(ctx)
				if err != nil {
					t.Fatal(err)
				}
				spotOK := map[string]bool{}
				for _, v := range vs {
					spotOK[v.ID] = true
				}
				for _, pr := range probes {
					name := fmt.Sprintf("%s %q spots=%d lists=%d types=%v audience=%s statuses=%v sort=%s", who, pr.req.Query,
						len(pr.req.SpotIDs), len(pr.req.ListIDs), pr.req.Kinds, pr.req.Audience, pr.req.Statuses, pr.req.Sort)
					t.Run(name, func(t *testing.T) {
						is := is.New(t)
						req := pr.req
						req.Limit = search.MaxLimit
						res, err := c.lib.Search.Search(ctx, req)
						is.NoErr(err)
						is.Equal(res.NextCursor, "") // the corpus fits one page

						// What matches, whoever asks: the same search as the system.
						sysReq := req
						if res.Relaxed {
							is.True(pr.orQuery != "") // only the probes written for it relax
							sysReq.Query = pr.orQuery
						}
						all, err := c.lib.Search.Search(sys, sysReq)
						is.NoErr(err)
						want := map[string]bool{}
						for _, h := range all.Hits {
							if visible[h.Item.ID] {
								want[h.Item.ID] = true
							}
						}
						got := map[string]bool{}
						for _, h := range res.Hits {
							is.True(visible[h.Item.ID]) // never a hidden hit
							got[h.Item.ID] = true
						}
						is.Equal(c.titlesOfSet(got), c.titlesOfSet(want)) // every visible match, nothing else
						is.Equal(res.Total, len(want))                    // total counts visible matches only

						// Facets count the visible matches, and never name a hidden spot.
						wantFacets := map[string]map[string]int{"spot": {}, "list": {}, "type": {}, "audience": {}}
						for id := range want {
							it := byID[id]
							for _, s := range it.SpotIDs() {
								if spotOK[s] {
									wantFacets["spot"][s]++
								}
							}
							for _, l := range it.ListIDs {
								wantFacets["list"][l]++
							}
							wantFacets["type"][string(it.Kind)]++
							wantFacets["audience"][string(it.Audience)]++
						}
						for f, counts := range wantFacets {
							gotCounts := map[string]int{}
							for _, v := range res.Facets[f] {
								gotCounts[v.Value] = v.Count
							}
							if !maps.Equal(gotCounts, counts) {
								t.Errorf("facet %s: got %v, want %v", f, c.named(gotCounts), c.named(counts))
							}
						}
						for _, v := range res.Facets["spot"] {
							is.True(spotOK[v.Value]) // no spot the principal may not view
						}
					})
				}
			}
		}

		t.Run("corpus", func(t *testing.T) {
			check(t, map[string][]string{"ada": seenByAda, "olivia": seenByAda, "eddie": seenByEddie, "vic": seenByVic,
				"sam": seenBySam, "tess": seenByTess, "nora": seenByAll})
		})

		// An item of Q3 Launch is placed in the public spot: everyone
		// finds it, and only olivia and ada see Q3 Launch in its facet.
		is := is.New(t)
		olivia := c.as(t, "olivia")
		_, err := c.lib.Items.Place(olivia, c.id["Partner Enablement Kit"], c.spot["product"].ID)
		is.NoErr(err)
		// sam's group loses Enterprise Sales; vic becomes its viewer.
		is.NoErr(c.lib.Spots.Revoke(olivia, c.spot["ent"].ID, spots.Group("sales")))
		_, err = c.lib.Spots.Grant(olivia, c.spot["ent"].ID, spots.User("vic"), spots.Viewer)
		is.NoErr(err)
		// A Healthcare draft is placed in the public spot: still hidden.
		_, err = c.lib.Items.Place(olivia, c.id["Clinical Workflow Demo Script"], c.spot["product"].ID)
		is.NoErr(err)
		_, err = c.lib.CatchUp(c.ctx)
		is.NoErr(err)
		t.Run("after changes", func(t *testing.T) { check(t, nil) })
	})
}

// mayFind is the ground truth of what p may find: the items Items.Get lets
// p open. Admins open others' personal spots only through an audited
// override, which search never makes: an item reachable only that way is
// not theirs to find.
func (c *corpusEnv) mayFind(t *testing.T, p spots.Principal, it items.Item) bool {
	t.Helper()
	_, err := c.lib.Items.Get(briefcase.WithPrincipal(c.ctx, p), it.ID)
	if errors.Is(err, items.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatalf("get %s as %s: %v", it.ID, p.ID, err)
	}
	if !p.IsAdmin() {
		return true
	}
	othersPersonal := func(spotID string) bool {
		sp, err := c.st.GetSpot(c.ctx, spotID)
		if err != nil {
			t.Fatal(err)
		}
		return sp.Personal() && sp.OwnerID != p.ID
	}
	if !slices.Contains(items.ViewerStatuses, it.Status) {
		return !othersPersonal(it.SpotID)
	}
	return slices.ContainsFunc(it.SpotIDs(), func(id string) bool { return !othersPersonal(id) })
}

// titlesOfSet returns the sorted titles of a set of item IDs.
func (c *corpusEnv) titlesOfSet(ids map[string]bool) []string {
	var out []string
	for id := range ids {
		out = append(out, c.title[id])
	}
	return sortedTitles(out)
}

// named renders facet counts with spot keys and list names for messages.
func (c *corpusEnv) named(counts map[string]int) string {
	names := c.names()
	var parts []string
	for v, n := range counts {
		if nm, ok := names[v]; ok {
			v = nm
		}
		parts = append(parts, fmt.Sprintf("%s:%d", v, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
