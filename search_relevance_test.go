package briefcase_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
	"github.com/matryer/is"
)

// search runs req as the principal who and fails the test on an error.
func (c *corpusEnv) search(t *testing.T, who string, req search.Request) search.Result {
	t.Helper()
	res, err := c.lib.Search.Search(c.as(t, who), req)
	if err != nil {
		t.Fatalf("search %q as %s: %v", req.Query, who, err)
	}
	return res
}

// hitTitles returns the titles of hits, in order.
func (c *corpusEnv) hitTitles(hits []search.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = c.title[h.Item.ID]
		if out[i] == "" {
			out[i] = "?" + h.Item.Title
		}
	}
	return out
}

// searchAll pages through every hit of req with the given page size and
// returns the titles in order, failing on a repeated hit or a page that
// comes back short before the end.
func (c *corpusEnv) searchAll(t *testing.T, who string, req search.Request, pageSize int) (titles []string, total int) {
	t.Helper()
	req.Limit = pageSize
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatalf("search %q as %s: more than 100 pages", req.Query, who)
		}
		res := c.search(t, who, req)
		if page == 0 {
			total = res.Total
		} else if res.Total != total {
			t.Fatalf("search %q as %s: total changed from %d to %d on page %d", req.Query, who, total, res.Total, page)
		}
		for _, h := range res.Hits {
			if seen[h.Item.ID] {
				t.Fatalf("search %q as %s: %q returned twice", req.Query, who, c.title[h.Item.ID])
			}
			seen[h.Item.ID] = true
		}
		titles = append(titles, c.hitTitles(res.Hits)...)
		if res.NextCursor == "" {
			return titles, total
		}
		if len(res.Hits) != pageSize {
			t.Fatalf("search %q as %s: page %d has %d hits and a next cursor", req.Query, who, page, len(res.Hits))
		}
		req.Cursor = res.NextCursor
	}
}

// sortedTitles returns a sorted copy of s, never nil.
func sortedTitles(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	if s == nil {
		s = []string{}
	}
	return s
}

// titleUnion returns the sorted union of title sets.
func titleUnion(sets ...[]string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, s...)
	}
	return slices.Compact(sortedTitles(out))
}

// facetCounts maps a facet of res to counts by readable name: spot keys and
// list names instead of IDs.
func (c *corpusEnv) facetCounts(res search.Result, facet string) map[string]int {
	names := c.names()
	out := map[string]int{}
	for _, v := range res.Facets[facet] {
		name := v.Value
		if n, ok := names[name]; ok {
			name = n
		}
		out[name] = v.Count
	}
	return out
}

// names maps spot IDs to their keys and list IDs to their names.
func (c *corpusEnv) names() map[string]string {
	names := map[string]string{}
	for k, s := range c.spot {
		names[s.ID] = k
	}
	for n, l := range c.list {
		names[l.ID] = n
	}
	return names
}

func TestSearchGrammar(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		for _, tc := range []struct {
			name, who, q string
			want         []string // the exact hit set, sorted
			top          []string // the first hits, in order
			last         string   // the last hit
			relaxed      bool
		}{
			{name: "term", q: "battlecard",
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Initech Battlecard", "Objection Handling Playbook"},
				top:  []string{"Acme Battlecard"}},
			{name: "plural normalized", q: "battlecards",
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Initech Battlecard", "Objection Handling Playbook"},
				top:  []string{"Acme Battlecard"}},
			{name: "case is ignored", q: "BattleCard",
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Initech Battlecard", "Objection Handling Playbook"}},
			{name: "possessive normalized", q: "customer's",
				want: []string{"Churn Early Warning Playbook", "Customer Onboarding Guide", "Data Processing Addendum", "Executive Business Review Deck",
					"Northwind Platform Overview", "Security Whitepaper", "Webinar: Modern Data Governance"},
				top: []string{"Customer Onboarding Guide"}},
			{name: "plural query meets possessive text", q: "customers",
				want: []string{"Churn Early Warning Playbook", "Customer Onboarding Guide", "Data Processing Addendum", "Executive Business Review Deck",
					"Northwind Platform Overview", "Security Whitepaper", "Webinar: Modern Data Governance"}},
			{name: "implicit and", q: "acme migration",
				want: []string{"Acme Migration Guide", "Acme vs Northwind Competitive One-Pager"},
				top:  []string{"Acme Migration Guide"}},
			{name: "explicit and", q: "acme AND migration",
				want: []string{"Acme Migration Guide", "Acme vs Northwind Competitive One-Pager"},
				top:  []string{"Acme Migration Guide"}},
			{name: "lower-case or is a word", q: "hipaa or fedramp", // no item has all three words: relaxed
				want:    []string{"FedRAMP Readiness Checklist", "HIPAA Compliance Brief", "Security Whitepaper"},
				relaxed: true},
			{name: "lower-case not is a word", q: "acme not migration", // only the webinar says "not"
				want: []string{"Acme Battlecard", "Acme Migration Guide", "Acme vs Northwind Competitive One-Pager", "Competitive Landscape Overview",
					"Objection Handling Playbook", "Webinar: Modern Data Governance", "Win-Loss Analysis 2025"},
				relaxed: true},
			{name: "upper-case NOT excludes", q: "acme NOT migration",
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Objection Handling Playbook", "Win-Loss Analysis 2025"},
				top:  []string{"Acme Battlecard"}, last: "Win-Loss Analysis 2025"},
			{name: "terms anywhere", q: "business case",
				want: []string{"Champion Email Templates", "Executive Business Review Deck", "Negotiation Guardrails"}},
			{name: "phrase", q: `"business case"`,
				want: []string{"Champion Email Templates", "Negotiation Guardrails"}},
			{name: "phrase with plural text", q: `"case study"`,
				want: []string{"Case Study: City of Riverton", "Case Study: First Harbor Bank", "Case Study: Mercy Regional Health", "Finance Vertical Pitch Deck"},
				last: "Finance Vertical Pitch Deck"},
			{name: "phrase of plurals", q: `"case studies"`,
				want: []string{"Case Study: City of Riverton", "Case Study: First Harbor Bank", "Case Study: Mercy Regional Health", "Finance Vertical Pitch Deck"}},
			{name: "or", q: "hipaa OR fedramp",
				want: []string{"FedRAMP Readiness Checklist", "HIPAA Compliance Brief", "Security Whitepaper"},
				top:  []string{"HIPAA Compliance Brief"}, last: "Security Whitepaper"},
			{name: "minus", q: "battlecard -acme",
				want: []string{"Globex Battlecard", "Initech Battlecard"},
				top:  []string{"Initech Battlecard", "Globex Battlecard"}}, // equal text: the fresher first
			{name: "not", q: "battlecard NOT acme",
				want: []string{"Globex Battlecard", "Initech Battlecard"}},
			{name: "not a scope", q: "battlecard NOT label:acme",
				want: []string{"Competitive Landscape Overview", "Globex Battlecard", "Initech Battlecard", "Objection Handling Playbook"}},
			{name: "and binds tighter than or", q: "globex OR acme battlecard",
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Globex Pricing Teardown", "Objection Handling Playbook"},
				top:  []string{"Acme Battlecard"}},
			{name: "parentheses", q: "(globex OR acme) battlecard",
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Globex Battlecard", "Objection Handling Playbook"},
				top:  []string{"Acme Battlecard"}},
			{name: "not binds tighter than and", q: "NOT acme battlecard",
				want: []string{"Globex Battlecard", "Initech Battlecard"}},
			{name: "negated group", q: "-(acme OR globex) battlecard",
				want: []string{"Initech Battlecard"}},
			{name: "title scope", q: "title:pricing",
				want: []string{"Enterprise Tier Pricing FAQ", "Globex Pricing Teardown", "Healthcare Pricing Addendum", "Launch Pricing Changes",
					"Legacy Pricing 2024", "Northwind Pricing Sheet 2026"},
				top: []string{"Northwind Pricing Sheet 2026"}, last: "Legacy Pricing 2024"},
			{name: "spot scope", q: "spot:healthcare",
				want: []string{"Case Study: Mercy Regional Health", "Clinical Workflow Demo Script", "HIPAA Compliance Brief", "Healthcare Discovery Questions",
					"Healthcare Pricing Addendum", "Payer Analytics Pitch Deck"}},
			{name: "list scope", q: "list:healthcare",
				want: []string{"Case Study: Mercy Regional Health", "HIPAA Compliance Brief", "Healthcare Discovery Questions",
					"Healthcare Pricing Addendum", "Payer Analytics Pitch Deck", "Security Whitepaper"}},
			{name: "list scope with a phrase", q: `list:"public sector"`,
				want: []string{"Case Study: City of Riverton", "FedRAMP Readiness Checklist", "Public Sector Procurement Guide", "Security Whitepaper"}},
			{name: "bare term meets spot and list names", q: "healthcare",
				want: []string{"Case Study: Mercy Regional Health", "Clinical Workflow Demo Script", "HIPAA Compliance Brief", "Healthcare Discovery Questions",
					"Healthcare Pricing Addendum", "Payer Analytics Pitch Deck", "Security Whitepaper"}},
			{name: "label scope", q: "label:demo",
				want: []string{"Analytics Dashboard Screenshots", "Clinical Workflow Demo Script", "Product Demo Video"}},
			{name: "type scope", q: "type:video",
				want: []string{"Product Demo Video", "Webinar: Modern Data Governance"}},
			{name: "audience scope", q: "audience:external acme",
				want: []string{"Acme Migration Guide", "Acme vs Northwind Competitive One-Pager"},
				top:  []string{"Acme Migration Guide"}},
			{name: "author scope", q: "author:ortiz",
				want: []string{"Case Study: Mercy Regional Health", "Clinical Workflow Demo Script", "HIPAA Compliance Brief", "Healthcare Discovery Questions",
					"Healthcare Pricing Addendum", "Payer Analytics Pitch Deck"}},
			{name: "author scope with a phrase", q: `author:"maya chen" type:presentation`,
				want: []string{"Enterprise Sales Deck", "Finance Vertical Pitch Deck", "Northwind Platform Overview", "Partner Enablement Kit"}},
			{name: "owner scope by id", q: "owner:eddie",
				want: []string{"Acme Battlecard", "Globex Battlecard", "Initech Battlecard"},
				top:  []string{"Acme Battlecard"}},
			{name: "owner scope by name", q: `owner:"eddie editor"`,
				want: []string{"Acme Battlecard", "Globex Battlecard", "Initech Battlecard"}},
			{name: "owner scope by group", q: "owner:sales",
				want: []string{"Executive Business Review Deck"}},
			{name: "spot names are searchable", q: "enterprise deck",
				want: []string{"Enterprise Sales Deck", "Executive Business Review Deck", "Finance Vertical Pitch Deck"},
				top:  []string{"Enterprise Sales Deck"}},
			{name: "question", q: "how do we handle discount approvals?",
				want: []string{"Globex Battlecard", "Negotiation Guardrails"},
				top:  []string{"Negotiation Guardrails"}},
			{name: "relaxed", q: "hipaa globex",
				want:    []string{"Competitive Landscape Overview", "Globex Battlecard", "Globex Pricing Teardown", "HIPAA Compliance Brief"},
				relaxed: true},
			{name: "no relaxing with a negation", q: "hipaa globex -acme",
				want: []string{}},
			{name: "a viewer's hits", who: "nora", q: "pricing OR discovery",
				want: []string{"Enterprise Tier Pricing FAQ", "Legacy Pricing 2024", "Northwind Platform Overview", "Northwind Pricing Sheet 2026",
					"Product Demo Video", "Webinar: Modern Data Governance"},
				top: []string{"Northwind Pricing Sheet 2026"}, last: "Legacy Pricing 2024"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				is := is.New(t)
				who := tc.who
				if who == "" {
					who = "olivia"
				}
				res := c.search(t, who, search.Request{Query: tc.q, Limit: search.MaxLimit})
				got := c.hitTitles(res.Hits)
				is.Equal(sortedTitles(got), tc.want) // the exact hit set
				is.Equal(res.Total, len(tc.want))    // total counts the same set
				is.Equal(res.Relaxed, tc.relaxed)    // relaxed only when retried as OR
				if len(tc.top) > 0 {
					is.True(len(got) >= len(tc.top))    // enough hits for the top
					is.Equal(got[:len(tc.top)], tc.top) // the top hits, in order
				}
				if tc.last != "" {
					is.Equal(got[len(got)-1], tc.last) // the last hit
				}
			})
		}

		t.Run("question passage", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "how do we handle discount approvals?"})
			is.True(len(res.Hits) == 2)
			top := res.Hits[0]
			is.Equal(c.title[top.Item.ID], "Negotiation Guardrails")
			is.True(top.Passage != nil)
			is.Equal(top.Passage.Page, 2) // the page naming discount, approvals and handles
			is.True(strings.HasPrefix(top.Passage.Text, "Discount approvals: up to 10%"))
			is.True(strings.Contains(top.Passage.Text, "the CFO handles the approval"))
			other := res.Hits[1]
			is.True(other.Passage != nil)
			is.Equal(other.Passage.Page, 1)
			is.Equal(other.Passage.Text, "Globex discounts heavily at quarter end; hold your price and sell the outcome")

			// A question best answered by the title and description gets
			// its passage from them: page 0.
			res = c.search(t, "nora", search.Request{Query: "what does the GDPR addendum cover?"})
			is.Equal(c.hitTitles(res.Hits), []string{"Data Processing Addendum"})
			is.True(res.Hits[0].Passage != nil)
			is.Equal(res.Hits[0].Passage.Page, 0)
			is.Equal(res.Hits[0].Passage.Text, "Data Processing Addendum. Standard DPA for customers subject to GDPR")

			// Plain queries carry no passage.
			res = c.search(t, "olivia", search.Request{Query: "discount"})
			for _, h := range res.Hits {
				is.Equal(h.Passage, nil)
			}
		})

		t.Run("syntax errors say where", func(t *testing.T) {
			is := is.New(t)
			for q, pos := range map[string]int{`pricing "sheet`: 8, "(acme OR globex": 0, "acme OR": 5, "colour:red": 0, "battlecard AND": 11} {
				_, err := c.lib.Search.Search(c.as(t, "olivia"), search.Request{Query: q})
				var se *search.SyntaxError
				is.True(errors.As(err, &se)) // a syntax error
				is.Equal(se.Pos, pos)        // at the right place
				is.Equal(briefcase.ErrorCode(err), errcode.Invalid)
			}
		})
	})
}

func TestSearchFilters(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		ids := func(keys ...string) []string {
			var out []string
			for _, k := range keys {
				if s, ok := c.spot[k]; ok {
					out = append(out, s.ID)
				} else {
					out = append(out, c.list[k].ID)
				}
			}
			return out
		}
		for _, tc := range []struct {
			name, who string
			req       search.Request
			want      []string
		}{
			{name: "spot", req: search.Request{SpotIDs: ids("hc")},
				want: []string{"Case Study: Mercy Regional Health", "Clinical Workflow Demo Script", "HIPAA Compliance Brief",
					"Healthcare Discovery Questions", "Healthcare Pricing Addendum", "Payer Analytics Pitch Deck"}},
			{name: "spot holds placements", req: search.Request{SpotIDs: ids("ent"), Query: "case OR competitive OR launch"},
				want: []string{"Case Study: First Harbor Bank", "Champion Email Templates", "Competitive Landscape Overview", "Executive Business Review Deck",
					"Finance Vertical Pitch Deck", "Launch Pricing Changes", "Negotiation Guardrails"}},
			{name: "two spots", req: search.Request{SpotIDs: ids("hc", "launch"), Query: "pricing"},
				want: []string{"Healthcare Pricing Addendum", "Launch Pricing Changes"}},
			{name: "a spot as its viewer", who: "vic", req: search.Request{SpotIDs: ids("hc")},
				want: []string{"Case Study: Mercy Regional Health", "HIPAA Compliance Brief", "Healthcare Discovery Questions",
					"Healthcare Pricing Addendum", "Payer Analytics Pitch Deck"}},
			{name: "a spot one may not see", who: "nora", req: search.Request{SpotIDs: ids("ci")},
				want: []string{}},
			{name: "lists of one group are ORed", req: search.Request{ListIDs: ids("Finance", "Public Sector")},
				want: []string{"Case Study: City of Riverton", "Case Study: First Harbor Bank", "FedRAMP Readiness Checklist",
					"Finance Vertical Pitch Deck", "Public Sector Procurement Guide", "Security Whitepaper"}},
			{name: "lists of two groups are ANDed", req: search.Request{ListIDs: ids("Finance", "Closing")},
				want: []string{"Case Study: First Harbor Bank"}},
			{name: "both at once", req: search.Request{ListIDs: ids("Healthcare", "Public Sector", "Proposal")},
				want: []string{"Case Study: Mercy Regional Health", "Healthcare Pricing Addendum", "Payer Analytics Pitch Deck",
					"Public Sector Procurement Guide"}},
			{name: "lists with a query", req: search.Request{ListIDs: ids("Discovery"), Query: "deck"},
				want: []string{"Enterprise Sales Deck", "Finance Vertical Pitch Deck", "Northwind Platform Overview"}},
			{name: "type", req: search.Request{Kinds: []items.Kind{items.KindVideo, items.KindSpreadsheet}},
				want: []string{"Globex Pricing Teardown", "Implementation Timeline Template", "Product Demo Video", "Q4 Territory Plan",
					"Webinar: Modern Data Governance"}},
			{name: "audience", req: search.Request{Audience: items.External, Query: "pricing OR acme"},
				want: []string{"Acme Migration Guide", "Acme vs Northwind Competitive One-Pager", "Enterprise Sales Deck",
					"Legacy Pricing 2024", "Northwind Pricing Sheet 2026"}},
			{name: "internal audience", req: search.Request{Audience: items.Internal, Query: "pricing OR acme"},
				want: []string{"Acme Battlecard", "Competitive Landscape Overview", "Enterprise Tier Pricing FAQ", "Globex Pricing Teardown",
					"Healthcare Pricing Addendum", "Launch Pricing Changes", "Negotiation Guardrails", "Objection Handling Playbook",
					"Win-Loss Analysis 2025"}},
			{name: "status", req: search.Request{Statuses: []items.Status{items.StatusDraft}},
				want: []string{"Clinical Workflow Demo Script", "Enterprise Renewal Playbook", "Initech Battlecard", "Launch Press Release",
					"Product Roadmap Preview"}},
			{name: "statuses", req: search.Request{Statuses: []items.Status{items.StatusExpired, items.StatusExpiring, items.StatusInReview, items.StatusArchived}},
				want: []string{"API Integration Guide", "Acme Migration Guide", "Healthcare Pricing Addendum", "Legacy Pricing 2024",
					"Northwind Brand Guidelines", "Q4 Territory Plan", "Release Notes Q2", "Win-Loss Analysis 2025"}},
			{name: "drafts for an editor of one spot", who: "eddie", req: search.Request{Statuses: []items.Status{items.StatusDraft, items.StatusInReview}},
				want: []string{"Acme Migration Guide", "Initech Battlecard"}},
			{name: "drafts for a viewer", who: "sam", req: search.Request{Statuses: []items.Status{items.StatusDraft}},
				want: []string{}},
			{name: "every filter", req: search.Request{Query: "case", SpotIDs: ids("product"), ListIDs: ids("Finance", "Healthcare", "Closing", "Proposal"),
				Kinds: []items.Kind{items.KindPDF}, Audience: items.External, Statuses: []items.Status{items.StatusPublished}},
				want: []string{"Case Study: First Harbor Bank", "Case Study: Mercy Regional Health"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				is := is.New(t)
				who := tc.who
				if who == "" {
					who = "olivia"
				}
				got, total := c.searchAll(t, who, tc.req, search.MaxLimit)
				is.Equal(sortedTitles(got), tc.want)
				is.Equal(total, len(tc.want))
			})
		}

		t.Run("bad filters are refused by name", func(t *testing.T) {
			is := is.New(t)
			_, err := c.lib.Search.Search(c.as(t, "olivia"), search.Request{ListIDs: []string{"no-such-list"}, Kinds: []items.Kind{"hologram"},
				Audience: "partners", Statuses: []items.Status{"lost"}, Sort: "random", Limit: search.MaxLimit + 1})
			is.Equal(briefcase.ErrorCode(err), errcode.Invalid)
			f := errcode.FieldsOf(err)
			for _, field := range []string{"list", "type", "audience", "status", "sort", "limit"} {
				is.True(f[field] != "") // every bad field is named
			}
		})
	})
}

func TestSearchSorts(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		// nora sees Product Hub alone: nineteen items, Legacy Pricing 2024 expired.
		byAge := []string{ // newest first, by Age
			"Product Demo Video", "Northwind Pricing Sheet 2026", "Case Study: First Harbor Bank", "Case Study: Mercy Regional Health",
			"Mutual Action Plan Template", "Enterprise Tier Pricing FAQ", "Northwind Platform Overview", "Analytics Dashboard Screenshots",
		}
		t.Run("newest", func(t *testing.T) {
			is := is.New(t)
			for _, q := range []string{"", "northwind OR case OR template OR pricing OR demo OR analytics OR plan"} {
				res := c.search(t, "nora", search.Request{Query: q, Sort: search.SortNewest, Limit: search.MaxLimit})
				got := c.hitTitles(res.Hits)
				is.True(len(got) > len(byAge))
				is.Equal(got[:len(byAge)], byAge)
				is.Equal(got[len(got)-1], "Legacy Pricing 2024") // expired: last
			}
		})
		t.Run("browsing sorts newest first", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "nora", search.Request{Limit: 3})
			is.Equal(c.hitTitles(res.Hits), byAge[:3])
		})
		t.Run("title", func(t *testing.T) {
			is := is.New(t)
			got, _ := c.searchAll(t, "nora", search.Request{Sort: search.SortTitle}, search.MaxLimit)
			is.Equal(got, []string{
				"Analytics Dashboard Screenshots", "API Integration Guide", "Case Study: City of Riverton", "Case Study: First Harbor Bank",
				"Case Study: Mercy Regional Health", "Churn Early Warning Playbook", "Customer Onboarding Guide", "Data Processing Addendum",
				"Enterprise Tier Pricing FAQ", "Implementation Timeline Template", "Mutual Action Plan Template", "Northwind Platform Overview",
				"Northwind Pricing Sheet 2026", "Northwind ROI Calculator", "Product Demo Video", "Public Sector Procurement Guide",
				"Security Whitepaper", "Webinar: Modern Data Governance",
				"Legacy Pricing 2024", // expired: after every current item
			})
		})
		t.Run("trending", func(t *testing.T) {
			is := is.New(t)
			got, _ := c.searchAll(t, "nora", search.Request{Sort: search.SortTrending}, search.MaxLimit)
			is.Equal(len(got), 19)
			is.Equal(got[:4], []string{"Product Demo Video", "Northwind Pricing Sheet 2026", "Case Study: First Harbor Bank", "Security Whitepaper"})
			is.Equal(got[18], "Legacy Pricing 2024") // the most trending of all, but expired

			got, _ = c.searchAll(t, "olivia", search.Request{Query: "pricing OR acme", Sort: search.SortTrending}, search.MaxLimit)
			is.Equal(got[:3], []string{"Acme Battlecard", "Enterprise Sales Deck", "Northwind Pricing Sheet 2026"})
			is.Equal(got[len(got)-2:], []string{"Legacy Pricing 2024", "Win-Loss Analysis 2025"}) // both flagged: trending 40, then 0
		})
		t.Run("popular", func(t *testing.T) {
			is := is.New(t)
			got, _ := c.searchAll(t, "nora", search.Request{Sort: search.SortPopular}, search.MaxLimit)
			is.Equal(len(got), 19)
			is.Equal(got[:4], []string{"Northwind Pricing Sheet 2026", "Security Whitepaper", "Product Demo Video", "Case Study: First Harbor Bank"})
			is.Equal(got[18], "Legacy Pricing 2024")

			got, _ = c.searchAll(t, "sam", search.Request{Query: "deck OR case", Sort: search.SortPopular}, search.MaxLimit)
			is.Equal(got[:2], []string{"Enterprise Sales Deck", "Case Study: First Harbor Bank"})
		})
		t.Run("relevance", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "churn", Sort: search.SortRelevance})
			is.Equal(c.hitTitles(res.Hits), []string{"Churn Early Warning Playbook", "Executive Business Review Deck", "Product Demo Video"})
			for i := 1; i < len(res.Hits); i++ {
				is.True(res.Hits[i-1].Score > res.Hits[i].Score) // scores fall
			}
		})
	})
}

func TestSearchPagination(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		for _, who := range []string{"olivia", "sam"} {
			for _, req := range []search.Request{
				{},
				{Sort: search.SortTitle},
				{Sort: search.SortTrending},
				{Sort: search.SortPopular},
				{Query: "pricing OR deck OR case OR playbook OR guide OR template"},
				{Query: "pricing OR deck OR case OR playbook OR guide OR template", Sort: search.SortNewest},
				{ListIDs: []string{c.list["Proposal"].ID, c.list["Closing"].ID}},
				{Query: "northwind OR case OR template", ListIDs: []string{c.list["Proposal"].ID, c.list["Closing"].ID}},
			} {
				t.Run(who+" "+req.Query+" "+string(req.Sort), func(t *testing.T) {
					is := is.New(t)
					whole := c.search(t, who, search.Request{Query: req.Query, Sort: req.Sort, ListIDs: req.ListIDs, Limit: search.MaxLimit})
					is.Equal(whole.NextCursor, "") // it all fits in one page
					is.True(len(whole.Hits) > 7)   // and needs several of seven
					for _, size := range []int{1, 3, 7} {
						got, total := c.searchAll(t, who, req, size)
						is.Equal(got, c.hitTitles(whole.Hits)) // the same hits, in the same order, none lost or repeated
						is.Equal(total, whole.Total)
					}
				})
			}
		}
		t.Run("a cursor belongs to its search", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "pricing", Limit: 2})
			is.True(res.NextCursor != "")
			_, err := c.lib.Search.Search(c.as(t, "olivia"), search.Request{Query: "acme", Limit: 2, Cursor: res.NextCursor})
			is.Equal(briefcase.ErrorCode(err), errcode.Invalid)
			is.True(errcode.FieldsOf(err)["cursor"] != "")
			_, err = c.lib.Search.Search(c.as(t, "olivia"), search.Request{Query: "pricing", Limit: 2, Cursor: "garbage"})
			is.True(errcode.FieldsOf(err)["cursor"] != "")
		})
	})
}

func TestSearchHighlights(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		is := is.New(t)
		hitOf := func(res search.Result, title string) search.Hit {
			t.Helper()
			for _, h := range res.Hits {
				if c.title[h.Item.ID] == title {
					return h
				}
			}
			t.Fatalf("no hit %q", title)
			return search.Hit{}
		}

		res := c.search(t, "olivia", search.Request{Query: "webhooks"})
		h := hitOf(res, "API Integration Guide")
		is.Equal(h.Highlights["description"], []string{"REST endpoints, <mark>webhooks</mark> and authentication"})
		is.Equal(h.Highlights["body"], []string{"<mark>Webhooks</mark> deliver alert events within seconds."}) // page 2, as written
		is.Equal(h.Highlights["title"], nil)

		res = c.search(t, "olivia", search.Request{Query: `title:pricing sheet -legacy`})
		h = hitOf(res, "Northwind Pricing Sheet 2026")
		is.Equal(h.Highlights["title"], []string{"Northwind <mark>Pricing</mark> <mark>Sheet</mark> 2026"})
		is.Equal(h.Highlights["body"], nil) // no page names pricing or sheet

		// Possessives and plurals are marked as typed in the text.
		res = c.search(t, "olivia", search.Request{Query: "customer encrypted"})
		h = hitOf(res, "Security Whitepaper")
		is.Equal(h.Highlights["body"], []string{"Every <mark>customer&#39;s</mark> data is <mark>encrypted</mark> at rest with AES-256 and in transit with TLS 1.3."}) // HTML-escaped
		is.Equal(h.Highlights["description"], []string{"How Northwind protects <mark>customer</mark> data: encryption, access control and audits"})

		// Negated words and exact scopes are not highlighted.
		res = c.search(t, "olivia", search.Request{Query: "migration type:pdf -guide"})
		is.Equal(c.hitTitles(res.Hits), []string{"Acme vs Northwind Competitive One-Pager"})
		h = res.Hits[0]
		is.Equal(h.Highlights["body"], []string{"Northwind deploys in weeks; switching from Acme takes two weeks with our <mark>migration</mark> service."})
		is.Equal(h.Highlights["title"], nil)
	})
}

func TestSearchFacets(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		t.Run("browse as a viewer of the public spot", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "nora", search.Request{Limit: 1})
			is.Equal(res.Total, 19)
			// Mercy's case study is placed here from Healthcare Team, which
			// nora may not see: the spot facet never names it.
			is.Equal(c.facetCounts(res, "spot"), map[string]int{"product": 19})
			is.Equal(c.facetCounts(res, "list"), map[string]int{"Closing": 5, "Discovery": 3, "Finance": 2, "Healthcare": 2, "Proposal": 6, "Public Sector": 3})
			is.Equal(c.facetCounts(res, "type"), map[string]int{"document": 7, "image": 1, "link": 1, "pdf": 6, "presentation": 1, "spreadsheet": 1, "video": 2})
			is.Equal(c.facetCounts(res, "audience"), map[string]int{"external": 17, "internal": 2})
			// Values come most frequent first.
			is.Equal(res.Facets["type"][0], search.FacetValue{Value: "document", Count: 7})
			is.Equal(res.Facets["audience"][1], search.FacetValue{Value: "internal", Count: 2})
		})
		t.Run("a query as a group member", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "sam", search.Request{Query: "pricing"})
			is.Equal(sortedTitles(c.hitTitles(res.Hits)), []string{"Enterprise Sales Deck", "Enterprise Tier Pricing FAQ", "Launch Pricing Changes",
				"Legacy Pricing 2024", "Negotiation Guardrails", "Northwind Pricing Sheet 2026"})
			// Launch Pricing Changes is homed in Q3 Launch, hidden from sam.
			is.Equal(c.facetCounts(res, "spot"), map[string]int{"ent": 3, "product": 3})
			is.Equal(c.facetCounts(res, "list"), map[string]int{"Closing": 1, "Discovery": 1, "Proposal": 4})
			is.Equal(c.facetCounts(res, "type"), map[string]int{"document": 3, "pdf": 2, "presentation": 1})
			is.Equal(c.facetCounts(res, "audience"), map[string]int{"external": 3, "internal": 3})
		})
		t.Run("facets count every hit, not the page", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "spot:healthcare", Limit: 1, ListIDs: []string{c.list["Proposal"].ID}})
			is.Equal(res.Total, 3)
			is.Equal(len(res.Hits), 1)
			is.Equal(c.facetCounts(res, "spot"), map[string]int{"hc": 3, "product": 1})
			is.Equal(c.facetCounts(res, "list"), map[string]int{"Healthcare": 3, "Proposal": 3})
			is.Equal(c.facetCounts(res, "type"), map[string]int{"pdf": 2, "presentation": 1})
		})
	})
}

func TestSearchRanking(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		t.Run("title over description over body", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "churn"})
			is.Equal(c.hitTitles(res.Hits), []string{"Churn Early Warning Playbook", "Executive Business Review Deck", "Product Demo Video"})
			res = c.search(t, "olivia", search.Request{Query: "governance"})
			is.Equal(c.hitTitles(res.Hits)[0], "Webinar: Modern Data Governance")
		})
		t.Run("promoted keyword first", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "pricing"})
			got := c.hitTitles(res.Hits)
			is.Equal(len(got), 8)
			// Both promoted for "pricing", although the guardrails only
			// carry it as a label, a weaker match than the items after it.
			is.Equal(got[:2], []string{"Northwind Pricing Sheet 2026", "Negotiation Guardrails"})
			is.True(res.Hits[1].Score < res.Hits[2].Score) // second by its keyword, not its score
			is.Equal(got[7], "Legacy Pricing 2024")

			res = c.search(t, "olivia", search.Request{Query: "price list"})
			is.Equal(c.hitTitles(res.Hits), []string{"Northwind Pricing Sheet 2026", "Globex Pricing Teardown", "Legacy Pricing 2024"})

			res = c.search(t, "sam", search.Request{Query: "enterprise deck"})
			is.Equal(c.hitTitles(res.Hits)[0], "Enterprise Sales Deck")

			res = c.search(t, "olivia", search.Request{Query: "acme"})
			is.Equal(c.hitTitles(res.Hits)[0], "Acme Battlecard")
		})
		t.Run("flagged last", func(t *testing.T) {
			is := is.New(t)
			res := c.search(t, "olivia", search.Request{Query: "acme OR pricing", Limit: search.MaxLimit})
			got := c.hitTitles(res.Hits)
			is.Equal(len(got), 14)
			is.Equal(sortedTitles(got[len(got)-2:]), []string{"Legacy Pricing 2024", "Win-Loss Analysis 2025"})
			for i, h := range res.Hits {
				is.Equal(h.Flagged, i >= len(got)-2) // only expired items are flagged
			}
			// Even alone on a word, an expired item is marked.
			res = c.search(t, "nora", search.Request{Query: "basic"})
			is.Equal(c.hitTitles(res.Hits), []string{"Legacy Pricing 2024"})
			is.True(res.Hits[0].Flagged)
		})
		t.Run("freshness", func(t *testing.T) {
			is := is.New(t)
			// The Globex and Initech battlecards match alike; Initech is
			// fresher, until Globex is verified.
			res := c.search(t, "olivia", search.Request{Query: "battlecard -acme"})
			is.Equal(c.hitTitles(res.Hits), []string{"Initech Battlecard", "Globex Battlecard"})
			c.clock.Add(24 * time.Hour)
			_, err := c.lib.Items.Verify(c.as(t, "olivia"), c.id["Globex Battlecard"])
			is.NoErr(err)
			_, err = c.lib.CatchUp(c.ctx)
			is.NoErr(err)
			res = c.search(t, "olivia", search.Request{Query: "battlecard -acme"})
			is.Equal(c.hitTitles(res.Hits), []string{"Globex Battlecard", "Initech Battlecard"})
		})
	})
}

func TestSearchRankingTuning(t *testing.T) {
	// Text relevance alone: no freshness, no trending, no promoted boost.
	runCorpus(t, briefcase.Config{Ranking: search.Ranking{NoFreshness: true, NoTrending: true, PromotedBoost: 1}}, func(t *testing.T, c *corpusEnv) {
		is := is.New(t)
		// Equal matches fall back to ID order.
		res := c.search(t, "olivia", search.Request{Query: "battlecard -acme"})
		is.Equal(len(res.Hits), 2)
		is.Equal(res.Hits[0].Score, res.Hits[1].Score)
		is.True(res.Hits[0].Item.ID < res.Hits[1].Item.ID)

		// The promoted keyword puts the pricing sheet and the guardrails
		// first although the FAQ (pricing in its title, description, body
		// and label) matches better than either.
		res = c.search(t, "olivia", search.Request{Query: "pricing"})
		got := c.hitTitles(res.Hits)
		is.Equal(got[:3], []string{"Northwind Pricing Sheet 2026", "Negotiation Guardrails", "Enterprise Tier Pricing FAQ"})
		is.True(res.Hits[0].Score < res.Hits[2].Score) // first by its keyword, not its score
		is.True(res.Hits[1].Score < res.Hits[2].Score)
		ex, err := c.lib.Search.Explain(c.as(t, "olivia"), "pricing", c.id["Northwind Pricing Sheet 2026"])
		is.NoErr(err)
		is.Equal(ex.Tier, "promoted keyword")
		is.Equal(len(ex.Factors), 2)
		is.Equal(ex.Factors[0].Name, "promoted")
		is.Equal(ex.Factors[0].Value, 1.0)
		is.Equal(ex.Factors[1].Name, "promoted_keyword")
		is.Equal(ex.Score, ex.TextScore) // nothing else multiplies it
	})
}

func TestSearchExplain(t *testing.T) {
	runCorpus(t, briefcase.Config{}, func(t *testing.T, c *corpusEnv) {
		factor := func(ex search.ItemExplanation, name string) (search.Factor, bool) {
			for _, f := range ex.Factors {
				if f.Name == name {
					return f, true
				}
			}
			return search.Factor{}, false
		}
		near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
		t.Run("reasons and factors", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "olivia"), "battlecard", c.id["Globex Battlecard"])
			is.NoErr(err)
			is.True(ex.Matched)
			is.True(!ex.Relaxed)
			is.Equal(ex.Reasons, []string{`title contains "battlecard"`, `label contains "battlecard"`})
			is.Equal(ex.Tier, "normal")
			is.True(ex.TextScore > 0)
			is.True(ex.Engine != nil) // the engine's score tree
			is.Equal(len(ex.Factors), 1)
			fresh := ex.Factors[0]
			is.Equal(fresh.Name, "freshness")
			is.True(near(fresh.Value, 1+0.1*math.Exp2(-21.0/90))) // updated 21 days before the clock, half-life 90 days
			is.True(near(ex.Score, ex.TextScore*fresh.Value))

			// The score Search gives is the score Explain builds.
			res := c.search(t, "olivia", search.Request{Query: "battlecard"})
			i := slices.IndexFunc(res.Hits, func(h search.Hit) bool { return h.Item.ID == c.id["Globex Battlecard"] })
			is.True(i >= 0)
			is.True(near(res.Hits[i].Score, ex.Score))

			// The injected clock moves the freshness factor.
			c.clock.Add(90 * 24 * time.Hour)
			defer c.clock.Add(-90 * 24 * time.Hour)
			later, err := c.lib.Search.Explain(c.as(t, "olivia"), "battlecard", c.id["Globex Battlecard"])
			is.NoErr(err)
			is.Equal(later.Factors[0].Name, "freshness")
			is.True(near(later.Factors[0].Value, 1+0.1*math.Exp2(-111.0/90)))
			is.True(near(later.TextScore, ex.TextScore))
		})
		t.Run("promoted and trending", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "olivia"), "battlecard", c.id["Acme Battlecard"])
			is.NoErr(err)
			is.Equal(ex.Tier, "normal") // "battlecard" is not its keyword
			promoted, ok := factor(ex, "promoted")
			is.True(ok)
			is.Equal(promoted.Value, 1.5)
			fresh, ok := factor(ex, "freshness")
			is.True(ok)
			is.True(near(fresh.Value, 1+0.1*math.Exp2(-14.0/90)))
			// Search ranks Acme Battlecard with its trending signal (50):
			// Explain must show that factor and the same score.
			res := c.search(t, "olivia", search.Request{Query: "battlecard"})
			is.Equal(res.Hits[0].Item.ID, c.id["Acme Battlecard"])
			trending, ok := factor(ex, "trending")
			is.True(ok) // Explain shows the trending factor Search applied
			is.True(near(trending.Value, 1+0.25*50/60.0))
			is.True(near(ex.Score, ex.TextScore*1.5*trending.Value*fresh.Value))
			is.True(near(res.Hits[0].Score, ex.Score)) // the score Search gave
		})
		t.Run("promoted keyword", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "eddie"), "acme win", c.id["Acme Battlecard"])
			is.NoErr(err)
			is.Equal(ex.Tier, "promoted keyword")
			is.Equal(ex.Reasons, []string{`title contains "acme"`, `description contains "acme"`, `page 1 contains "acme"`, `label contains "acme"`,
				`description contains "win"`, `page 1 contains "win"`})
			_, ok := factor(ex, "promoted_keyword")
			is.True(ok)
		})
		t.Run("flagged", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "nora"), `"pro plans"`, c.id["Legacy Pricing 2024"])
			is.NoErr(err)
			is.True(ex.Matched)
			is.Equal(ex.Tier, "flagged")
			is.Equal(ex.Reasons, []string{`page 1 contains the phrase "pro plans"`})
		})
		t.Run("scopes", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "sam"), "owner:sales type:presentation spot:enterprise", c.id["Executive Business Review Deck"])
			is.NoErr(err)
			is.True(ex.Matched)
			is.Equal(ex.Reasons, []string{`owner contains "sales"`, "type is presentation", `spot contains "enterprise"`})
		})
		t.Run("relaxed", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "olivia"), "hipaa globex", c.id["Globex Battlecard"])
			is.NoErr(err)
			is.True(ex.Matched)
			is.True(ex.Relaxed)
			is.Equal(ex.Reasons, []string{`title contains "globex"`, `description contains "globex"`, `page 1 contains "globex"`, `label contains "globex"`})
		})
		t.Run("not matched", func(t *testing.T) {
			is := is.New(t)
			ex, err := c.lib.Search.Explain(c.as(t, "olivia"), "battlecard -acme", c.id["Acme Battlecard"])
			is.NoErr(err)
			is.True(!ex.Matched)
			is.Equal(ex.Tier, "none")
			is.Equal(ex.Score, 0.0)
		})
		t.Run("not found when hidden", func(t *testing.T) {
			is := is.New(t)
			for who, title := range map[string]string{
				"nora":   "Acme Battlecard",             // a restricted spot
				"sam":    "Enterprise Renewal Playbook", // a draft in a spot sam views
				"eddie":  "Product Roadmap Preview",     // a draft where eddie only views
				"ada":    "Tess Discovery Call Notes",   // another's personal spot, even for an admin
				"olivia": "Tess Discovery Call Notes",
			} {
				_, err := c.lib.Search.Explain(c.as(t, who), "discovery OR acme OR playbook OR roadmap", c.id[title])
				is.True(errors.Is(err, search.ErrNotFound)) // hidden is not found
				is.Equal(briefcase.ErrorCode(err), errcode.NotFound)
			}
			_, err := c.lib.Search.Explain(c.as(t, "olivia"), "acme", "no-such-item")
			is.Equal(briefcase.ErrorCode(err), errcode.NotFound)
			ex, err := c.lib.Search.Explain(c.as(t, "tess"), "acme", c.id["Tess Discovery Call Notes"])
			is.NoErr(err) // its owner sees it
			is.True(ex.Matched)
		})
	})
}
