package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// analyticsEnv serves the API with analytics over a chosen store, with
// env's principals and
//
//	sam  group sales (a seller)
//	ann  analyst
//
// eve's restricted spot "Desk" (sales may view) holds the external items
// deck and sheet; sam pitched deck to buyer@acme.example (pitch), which
// buyer opened and read, and a link scanner opened too. The events are
// those the share service reported, and a few internal ones fed by hand.
type analyticsEnv struct {
	*env
	clock       *clock
	desk        string
	deck, sheet string
	pitch       string
}

// oneDeal is a CRM holding one won opportunity, closed today, whose
// contact is the buyer sam pitched.
type oneDeal struct{}

var deal = analytics.Opportunity{ID: "opp-1", AccountID: "acc-1", Name: "Acme renewal", AmountCents: 1_000_000,
	Currency: "USD", Stage: "Closed Won", Closed: true, Won: true, CloseDate: analytics.DayOf(now)}

func (oneDeal) Opportunities(_ context.Context, f analytics.OpportunityFilter) ([]analytics.Opportunity, error) {
	if f.Match(deal) {
		return []analytics.Opportunity{deal}, nil
	}
	return nil, nil
}

func (oneDeal) Accounts(_ context.Context, ids []string) ([]analytics.Account, error) {
	if slices.Contains(ids, deal.AccountID) {
		return []analytics.Account{{ID: deal.AccountID, Name: "=Acme Corp"}}, nil
	}
	return nil, nil
}

func (oneDeal) ContactEmails(_ context.Context, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if slices.Contains(ids, deal.ID) {
		out[deal.ID] = []string{"buyer@acme.example"}
	}
	return out, nil
}

// shareInfos resolves the shares the env made.
type shareInfos map[string]analytics.ShareInfo

func (m shareInfos) ResolveShares(_ context.Context, ids []string) (map[string]analytics.ShareInfo, error) {
	out := map[string]analytics.ShareInfo{}
	for _, id := range ids {
		if si, ok := m[id]; ok {
			out[id] = si
		}
	}
	return out, nil
}

// eachAnalyticsStore runs f once per backend with a fresh analyticsEnv.
func eachAnalyticsStore(t *testing.T, f func(t *testing.T, e *analyticsEnv)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, newAnalyticsEnv(t, b.open(t))) })
	}
}

func newAnalyticsEnv(t *testing.T, st store.Store) *analyticsEnv {
	t.Helper()
	ctx := context.Background()
	blobsDir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := localblobs.New(blobsDir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: now.AddDate(0, 0, -2)}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, Blobs: blobs, Now: clk.Now, Logger: log, PublicURL: publicURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if lib.Analytics == nil {
		t.Fatalf("%T does not implement analytics.Store", st)
	}
	infos := shareInfos{}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Spots: lib.Spots, Items: lib.Items, Tokens: lib.Tokens,
		Shares: lib.Shares, Analytics: lib.Analytics, PublicURL: publicURL, Identity: lib.Tokens, Logger: log,
		Influence: analytics.NewInfluencer(lib.Analytics, oneDeal{}, infos, analytics.InfluenceOptions{})}))
	t.Cleanup(srv.Close)
	e := &analyticsEnv{env: &env{t: t, lib: lib, srv: srv, ctx: ctx, tokens: map[string]string{}, logs: logs,
		blobsDir: blobsDir}, clock: clk}
	e.user(spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}}, true)
	e.user(spots.Principal{ID: "eve", Name: "Eve Editor", Email: "eve@example.com", Groups: []string{"marketing"}}, true)
	e.user(spots.Principal{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com", Groups: []string{"sales"}}, false)
	e.user(spots.Principal{ID: "otto", Name: "Otto Outsider", Email: "otto@example.com"}, false)
	e.user(spots.Principal{ID: "sam", Name: "Sam Seller", Email: "sam@example.com", Groups: []string{"sales"}}, false)
	e.user(spots.Principal{ID: "ann", Name: "Ann Analyst", Email: "ann@example.com", Roles: []spots.PlatformRole{spots.Analyst}}, false)

	e.desk = e.spot("eve", map[string]any{"name": "Desk", "visibility": "restricted"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/members/group:sales", map[string]any{"role": "viewer"})
	e.deck = e.item("eve", map[string]any{"spot_id": e.desk, "kind": "presentation", "title": "Product Deck", "audience": "external"})
	e.sheet = e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Old Sheet", "audience": "external"})

	// Yesterday: sam pitched deck; buyer read page 1 for 6 s and page 2
	// for 3 s, and the browser sent the second beacon twice; a link
	// scanner opened buyer's link and sent a beacon.
	yesterday := now.AddDate(0, 0, -1)
	clk.t = yesterday
	p := e.must(201, "sam", "POST", "/api/v1/pitches", map[string]any{"title": "Acme pitch", "items": []string{e.deck},
		"recipients": []string{"buyer@acme.example"}})
	e.pitch = p["id"].(string)
	infos[e.pitch] = analytics.ShareInfo{ID: e.pitch, Owner: "sam", Items: []analytics.SharedItem{{ItemID: e.deck, SpotID: e.desk}}}
	u := linksOf(p)[0]["url"].(string)
	token := u[strings.LastIndex(u, "/p/")+len("/p/"):]
	open := func(ua string) string {
		t.Helper()
		acc, err := lib.Shares.Resolve(ctx, token, "")
		if err != nil {
			t.Fatal(err)
		}
		v, err := lib.Shares.Open(ctx, acc, share.Visitor{UserAgent: ua, Method: "GET"})
		if err != nil {
			t.Fatal(err)
		}
		return v.BeaconToken
	}
	human := open("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36")
	bot := open("curl/8.5.0")
	clk.t = yesterday.Add(10 * time.Second)
	res, err := lib.Shares.Beacon(ctx, token, human, []share.Beacon{{Seq: 1, ItemID: e.deck, Page: 1, ActiveMS: 6000}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Shares.Beacon(ctx, token, bot, []share.Beacon{{Seq: 1, ItemID: e.deck, Page: 1, ActiveMS: 2000}}); err != nil {
		t.Fatal(err)
	}
	clk.t = yesterday.Add(15 * time.Second)
	again := []share.Beacon{{Seq: 2, ItemID: e.deck, Page: 2, ActiveMS: 3000}}
	for range 2 {
		if _, err := lib.Shares.Beacon(ctx, token, res.Token, again); err != nil {
			t.Fatal(err)
		}
	}
	// Internal activity, fed by hand.
	lib.Analytics.Record(ctx,
		analytics.Event{Type: analytics.ItemViewed, At: yesterday.Add(time.Hour), Actor: "vic", ItemID: e.deck, SpotID: e.desk},
		analytics.Event{Type: analytics.Searched, At: yesterday.Add(time.Hour), Actor: "vic", Query: "pricing", Hits: 0},
		analytics.Event{Type: analytics.Searched, At: yesterday.Add(time.Hour), Actor: "sam", Query: `=HYPERLINK("http://evil.example/","x")`},
		analytics.Event{Type: analytics.Searched, At: yesterday.Add(time.Hour), Actor: "sam", Query: "deck", Hits: 3},
	)
	if err := lib.Analytics.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clk.t = now
	return e
}

// csv returns a CSV answer, with UUIDs replaced by <id>, after checking
// its status and headers.
func (e *analyticsEnv) csv(user, path, filename string) string {
	e.t.Helper()
	r := e.do(user, "GET", path, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: status %d\n%s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		e.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+filename+`"`) {
		e.t.Errorf("GET %s: Content-Disposition %q, want the file %s", path, cd, filename)
	}
	return uuidRE.ReplaceAllString(string(r.body), "<id>")
}

const reports = "/api/v1/analytics/reports/"

func TestAnalyticsReportsHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		// Content: the page read twice counts once (the share service
		// drops the repeated beacon); the scanner only with include_bots.
		r := e.do("ann", "GET", reports+"content", nil)
		is.Equal(r.status, 200)
		golden(t, "analytics_content.json", r.body)
		m := e.must(200, "ann", "GET", reports+"content?include_bots=true", nil)
		row := m["items"].([]any)[0].(map[string]any)
		is.Equal(row["page_views"], 3.0)
		is.Equal(row["active_ms"], 11000.0)
		is.Equal(row["external_opens"], 2.0)
		is.Equal(m["include_bots"], true)
		m = e.must(200, "eve", "GET", reports+"content?from=2026-03-02&to=2026-03-02&spot="+e.desk, nil)
		is.Equal(m["from"], "2026-03-02")
		is.Equal(len(m["items"].([]any)), 0)

		body := e.csv("ann", reports+"content?format=csv", "content-2026-02-01-to-2026-03-02.csv")
		is.Equal(body, "item_id,title,spot_id,views,unique_viewers,downloads,bookmarks,pitches,external_opens,"+
			"unique_recipients,page_views,active_ms,external_downloads,external_clicks,pages_read,avg_active_ms_per_page,"+
			"page_count,completion_rate,score\r\n"+
			"<id>,Product Deck,<id>,1,1,0,0,1,1,1,2,9000,0,0,2,4500,0,,5.15\r\n")

		// Spots, unused, sellers, pitches.
		golden(t, "analytics_spots.json", e.do("eve", "GET", reports+"spots", nil).body)
		golden(t, "analytics_unused.json", e.do("ada", "GET", reports+"unused", nil).body)
		golden(t, "analytics_sellers.json", e.do("ann", "GET", reports+"sellers", nil).body)
		golden(t, "analytics_pitches.json", e.do("sam", "GET", reports+"pitches", nil).body)
		golden(t, "analytics_pitches_by_page.json", e.do("sam", "GET", reports+"pitches?by=page&share="+e.pitch, nil).body)
		m = e.must(200, "sam", "GET", reports+"pitches?by=item&spot="+e.desk, nil)
		row = m["items"].([]any)[0].(map[string]any)
		is.Equal(row["share_title"], "Acme pitch")
		is.Equal(row["item_title"], "Product Deck")
		is.Equal(row["pages_read"], 2.0)
		m = e.must(200, "vic", "GET", reports+"pitches", nil)
		is.Equal(len(m["items"].([]any)), 0) // vic sent nothing
		body = e.csv("sam", reports+"pitches?format=csv&by=recipient", "pitches-by-recipient-2026-02-01-to-2026-03-02.csv")
		is.Equal(body, "share_id,share_title,share_kind,share_owner,recipient,bot,opens,page_views,active_ms,downloads,"+
			"clicks,first_at,last_at\r\n"+
			"<id>,Acme pitch,pitch,sam,buyer@acme.example,false,1,2,9000,0,0,2026-03-01T10:00:00Z,2026-03-01T10:00:15Z\r\n")

		// Search gaps: the query that tried a formula is defused in CSV.
		m = e.must(200, "ann", "GET", reports+"search-gaps", nil)
		is.Equal(len(m["items"].([]any)), 2)
		body = e.csv("ann", reports+"search-gaps?format=csv", "search-gaps-2026-02-01-to-2026-03-02.csv")
		is.Equal(body, "query,searches,zero_hits,avg_hits,last_day\r\n"+
			`"'=hyperlink(""http://evil.example/"",""x"")",1,1,0,2026-03-01`+"\r\n"+
			"pricing,1,1,0,2026-03-01\r\n")
		m = e.must(200, "ann", "GET", reports+"search-gaps?max_hits=3", nil)
		is.Equal(len(m["items"].([]any)), 3)

		// Paging.
		m = e.must(200, "ann", "GET", reports+"search-gaps?max_hits=3&limit=2", nil)
		is.Equal(m["next_cursor"], "2")
		m = e.must(200, "ann", "GET", reports+"search-gaps?max_hits=3&limit=2&cursor=2", nil)
		is.Equal(m["next_cursor"], "")
		is.Equal(m["items"].([]any)[0].(map[string]any)["query"], "pricing")
		r = e.do("ann", "GET", reports+"search-gaps?max_hits=3&limit=2&format=csv", nil)
		is.Equal(r.header.Get("X-Next-Cursor"), "2")
	})
}

func TestAnalyticsItemHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		path := "/api/v1/analytics/items/" + e.deck
		golden(t, "analytics_item.json", e.do("vic", "GET", path+"?from=2026-02-28&to=2026-03-02", nil).body)
		m := e.must(200, "sam", "GET", path, nil)
		is.Equal(len(m["days"].([]any)), 30)
		body := e.csv("vic", path+"?from=2026-03-01&to=2026-03-02&format=csv", "item-"+e.deck+"-2026-03-01-to-2026-03-02.csv")
		is.Equal(body, "day,views,unique_viewers,downloads,bookmarks,pitches,external_opens,unique_recipients,"+
			"page_views,active_ms,pages_read,external_downloads,external_clicks\r\n"+
			"2026-03-01,1,1,0,0,1,1,1,2,9000,2,0,0\r\n"+
			"2026-03-02,0,0,0,0,0,0,0,0,0,0,0,0\r\n")
		// Who may not view the item does not learn it exists, analysts
		// included.
		for _, who := range []string{"otto", "ann"} {
			e.refused(404, "not_found", who, "GET", path, nil)
		}
		e.refused(404, "not_found", "vic", "GET", "/api/v1/analytics/items/no-such-item", nil)
		e.refused(401, "unauthenticated", "", "GET", path, nil)
		is.Equal(e.refused(400, "invalid", "vic", "GET", path+"?from=2026-03-02&to=2026-03-01", nil)["from"],
			"must not be after to (2026-03-01)")
		is.True(e.refused(400, "invalid", "vic", "GET", path+"?format=xlsx", nil)["format"] != "")
		is.True(e.refused(400, "invalid", "vic", "GET", path+"?spot="+e.desk, nil)["spot"] != "")
	})
}

func TestAnalyticsRankedHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		for _, kind := range []string{"trending", "popular"} {
			path := "/api/v1/analytics/" + kind
			for _, who := range []string{"vic", "sam", "eve"} {
				items := e.do(who, "GET", path, nil).items()
				is.Equal(len(items), 1) // only deck was engaged with
				it := items[0]["item"].(map[string]any)
				is.Equal(it["id"], e.deck)
				is.Equal(it["labels"], []any{}) // items as the items routes show them
				is.True(items[0]["score"].(float64) > 0)
			}
			is.Equal(len(e.do("vic", "GET", path+"?spot="+e.desk+"&limit=1", nil).items()), 1)
			// otto sees nothing of Desk, and asking for it is not found.
			is.Equal(len(e.do("otto", "GET", path, nil).items()), 0)
			e.refused(404, "not_found", "otto", "GET", path+"?spot="+e.desk, nil)
			for _, q := range []string{"limit=0", "limit=101", "limit=ten"} {
				is.True(e.refused(400, "invalid", "vic", "GET", path+"?"+q, nil)["limit"] != "")
			}
			is.True(e.refused(400, "invalid", "vic", "GET", path+"?format=csv", nil)["format"] != "")
			e.refused(401, "unauthenticated", "", "GET", path, nil)
		}
	})
}

func TestAnalyticsPermissionsHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		for _, rep := range []string{"content", "spots", "unused", "search-gaps", "pitches", "sellers"} {
			for _, who := range []string{"ann", "ada"} {
				e.must(200, who, "GET", reports+rep, nil)
			}
			e.refused(401, "unauthenticated", "", "GET", reports+rep, nil)
		}
		// The spot's owner sees its spot's reports, not search gaps;
		// viewers and outsiders none of them, whatever spot they name.
		for _, rep := range []string{"content", "spots", "unused"} {
			e.must(200, "eve", "GET", reports+rep+"?spot="+e.desk, nil)
			for _, who := range []string{"vic", "sam", "otto"} {
				e.refused(403, "forbidden", who, "GET", reports+rep, nil)
				e.refused(403, "forbidden", who, "GET", reports+rep+"?spot="+e.desk, nil)
				e.refused(403, "forbidden", who, "GET", reports+rep+"?spot=no-such-spot", nil)
			}
			e.refused(403, "forbidden", "eve", "GET", reports+rep+"?spot=no-such-spot", nil)
		}
		for _, who := range []string{"eve", "sam", "vic"} {
			e.refused(403, "forbidden", who, "GET", reports+"search-gaps", nil)
		}
		// Sellers see their own row and shares only.
		rows := e.do("sam", "GET", reports+"sellers", nil).items()
		is.Equal(len(rows), 1)
		is.Equal(rows[0]["user_id"], "sam")
		is.Equal(len(e.do("otto", "GET", reports+"pitches", nil).items()), 0)
		is.Equal(len(e.do("otto", "GET", reports+"pitches?share="+e.pitch, nil).items()), 0)
		is.Equal(len(e.do("otto", "GET", reports+"pitches?by=page&share="+e.pitch, nil).items()), 0)
	})
}

func TestAnalyticsBadInputHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		for _, c := range []struct{ path, field string }{
			{"content?from=2026-2-1", "from"},
			{"content?from=yesterday", "from"},
			{"content?to=2026-02-30", "to"},
			{"content?from=2026-03-02&to=2026-03-01", "from"},
			{"content?from=2024-03-01&to=2026-03-01", "to"},
			{"spots?from=2020-01-01", "to"},
			{"unused?to=soon", "to"},
			{"content?include_bots=maybe", "include_bots"},
			{"content?limit=0", "limit"},
			{"content?limit=5001", "limit"},
			{"content?limit=many", "limit"},
			{"content?cursor=abc", "cursor"},
			{"content?format=xml", "format"},
			{"content?format=csv&format=json", "format"},
			{"content?sort=views", "sort"},
			{"pitches?by=month", "by"},
			{"pitches?spot=" + e.desk, "spot"},
			{"search-gaps?spot=" + e.desk, "spot"},
			{"search-gaps?max_hits=-1", "max_hits"},
			{"search-gaps?max_hits=some", "max_hits"},
			{"search-gaps?max_hits=NaN", "max_hits"},
			{"sellers?spot=" + e.desk, "spot"},
			{"sellers?from=2026-03-02&to=2026-03-01", "from"},
			{"unused?from=2026-03-02&to=2026-03-01", "from"},
		} {
			fields := e.refused(400, "invalid", "ann", "GET", reports+c.path, nil)
			if fields[c.field] == "" {
				t.Errorf("%s: fields %v, want one for %s", c.path, fields, c.field)
			}
		}
		is.Equal(e.refused(400, "invalid", "ann", "GET", reports+"content?from=2024-03-02&to=2026-03-02", nil)["to"],
			"must be less than 2 years after from (2024-03-02)")
		e.must(200, "ann", "GET", reports+"content?from=2024-03-03&to=2026-03-02", nil)
		e.refused(404, "not_found", "ann", "GET", reports+"influence-of-nothing", nil)
		e.refused(405, "invalid", "ann", "POST", reports+"content", map[string]any{})
	})
}

func TestAnalyticsInfluenceHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		path := reports + "influence"
		// buyer read sam's pitch of deck the day before the deal closed:
		// all of it goes to deck, Desk and sam.
		for _, who := range []string{"ann", "ada", "sam", "eve"} {
			m := e.must(200, who, "GET", path, nil)
			is.Equal(m["model"], "even")
			is.Equal(m["state"], "won")
			items := m["items"].([]any)
			is.Equal(len(items), 1)
			is.Equal(items[0].(map[string]any)["item_id"], e.deck)
			is.Equal(items[0].(map[string]any)["amount"], "10000.00")
			sellers := m["sellers"].([]any)
			is.Equal(sellers[0].(map[string]any)["seller"], "sam")
		}
		// vic neither owns Desk nor sent the pitch.
		m := e.must(200, "vic", "GET", path, nil)
		is.Equal(len(m["items"].([]any)), 0)
		// Closed before the engagement: nothing influenced.
		m = e.must(200, "ann", "GET", path+"?from=2026-01-01&to=2026-02-28", nil)
		is.Equal(len(m["items"].([]any)), 0)

		body := e.csv("ann", path+"?format=csv&model=last", "influence-2025-12-03-to-2026-03-02.csv")
		is.Equal(body, "dimension,item_id,spot_id,seller,currency,amount_cents,amount,opportunities,opportunity_ids\r\n"+
			"total,,,,USD,1000000,10000.00,1,opp-1\r\n"+
			"item,<id>,<id>,,USD,1000000,10000.00,1,opp-1\r\n"+
			"spot,,<id>,,USD,1000000,10000.00,1,opp-1\r\n"+
			"seller,,,sam,USD,1000000,10000.00,1,opp-1\r\n")
		for _, c := range []struct{ query, field string }{
			{"from=soon", "from"},
			{"from=2026-03-02&to=2026-03-01", "to"},
			{"state=maybe", "state"},
			{"model=magic", "model"},
			{"model=time_decay&half_life_days=0", "half_life_days"},
			{"format=pdf", "format"},
			{"limit=5", "limit"},
		} {
			if f := e.refused(400, "invalid", "ann", "GET", path+"?"+c.query, nil); f[c.field] == "" {
				t.Errorf("%s: fields %v, want one for %s", c.query, f, c.field)
			}
		}
		e.refused(401, "unauthenticated", "", "GET", path, nil)
	})
}

// Without an analytics service the routes say so.
func TestAnalyticsNotConfiguredHTTP(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Spots: e.lib.Spots, Items: e.lib.Items, Tokens: e.lib.Tokens,
		Identity: e.lib.Tokens}))
	t.Cleanup(srv.Close)
	e.srv = srv
	for _, p := range []string{"items/x", "trending", "popular", "reports/content", "reports/pitches", "reports/spots",
		"reports/unused", "reports/search-gaps", "reports/sellers", "reports/influence"} {
		e.refused(503, "unavailable", "ada", "GET", "/api/v1/analytics/"+p, nil)
	}
}

func TestAnalyticsEraseRecipientHTTP(t *testing.T) {
	eachAnalyticsStore(t, func(t *testing.T, e *analyticsEnv) {
		is := is.New(t)
		path := "/api/v1/analytics/recipients/"
		e.refused(403, "forbidden", "ann", "DELETE", path+"buyer@acme.example", nil) // analysts read; admins erase
		e.refused(403, "forbidden", "sam", "DELETE", path+"buyer@acme.example", nil)
		e.refused(400, "invalid", "ada", "DELETE", path+"not-an-address", nil)
		before := e.do("ann", "GET", reports+"pitches", nil).items()
		is.True(len(before) > 0)
		got := e.must(200, "ada", "DELETE", path+"Buyer@Acme.example", nil)
		is.Equal(got["email"], "buyer@acme.example")
		is.True(got["deleted"].(float64) > 0)
		for _, row := range e.do("ann", "GET", reports+"pitches?include_bots=true", nil).items() {
			is.True(row["recipient"] != "buyer@acme.example") // nothing about the buyer is left
		}
		again := e.must(200, "ada", "DELETE", path+"buyer@acme.example", nil)
		is.Equal(again["deleted"], float64(0))
	})
}
