package httpapi_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/briefcasehq/briefcase"
	"github.com/matryer/is"
)

// searchEnv is itemsEnv with three items indexed: a public battlecard, a
// restricted pricing sheet sales may view, and a draft in the desk.
func searchEnv(t *testing.T) (e *env, desk, announcements string, ids map[string]string) {
	e, desk, announcements = itemsEnv(t)
	ids = map[string]string{
		"battlecard": e.item("eve", map[string]any{"spot_id": announcements, "kind": "pdf", "title": "Acme battlecard",
			"description": "How we win against Acme on pricing", "audience": "external"}),
		"pricing": e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing sheet",
			"description": "Enterprise list prices", "audience": "internal"}),
		"draft": e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing next year",
			"status": "draft"}),
	}
	if _, err := e.lib.CatchUp(briefcase.SystemContext(context.Background())); err != nil {
		t.Fatal(err)
	}
	return e, desk, announcements, ids
}

func TestSearch(t *testing.T) {
	is := is.New(t)
	e, desk, announcements, ids := searchEnv(t)

	r := e.must(200, "vic", "GET", "/api/v1/search?q=pricing", nil)
	is.Equal(r["total"], 2.0) // vic sees the battlecard and the sheet, not the draft
	is.Equal(r["relaxed"], false)
	hits := r["hits"].([]any)
	is.Equal(len(hits), 2)
	first := hits[0].(map[string]any)
	is.Equal(first["item"].(map[string]any)["id"], ids["pricing"]) // the title match ranks first
	is.True(first["score"].(float64) > 0)
	is.Equal(first["highlights"].(map[string]any)["title"], []any{"<mark>Pricing</mark> sheet"})
	facets := r["facets"].(map[string]any)
	is.Equal(facets["type"], []any{map[string]any{"value": "document", "count": 1.0}, map[string]any{"value": "pdf", "count": 1.0}})
	is.Equal(len(facets["spot"].([]any)), 2)

	// The editor sees the draft too; an outsider sees only the public item.
	is.Equal(e.must(200, "eve", "GET", "/api/v1/search?q=pricing", nil)["total"], 3.0)
	is.Equal(e.must(200, "otto", "GET", "/api/v1/search?q=pricing", nil)["total"], 1.0)

	// Filters, repeated parameters and sorts.
	is.Equal(e.must(200, "vic", "GET", "/api/v1/search?q=pricing&spot="+desk, nil)["total"], 1.0)
	is.Equal(e.must(200, "vic", "GET", "/api/v1/search?q=pricing&type=pdf&type=video", nil)["total"], 1.0)
	is.Equal(e.must(200, "vic", "GET", "/api/v1/search?q=pricing&audience=external", nil)["total"], 1.0)
	browse := e.must(200, "vic", "GET", "/api/v1/search?spot="+announcements+"&sort=title", nil)
	is.Equal(browse["total"], 1.0)

	// Relaxed retry: no item holds both words, so the answer says it was relaxed.
	relaxed := e.must(200, "vic", "GET", "/api/v1/search?q="+url.QueryEscape("acme enterprise"), nil)
	is.Equal(relaxed["relaxed"], true)
	is.Equal(relaxed["total"], 2.0)

	// Cursor pagination.
	page1 := e.must(200, "eve", "GET", "/api/v1/search?q=pricing&limit=2", nil)
	is.Equal(len(page1["hits"].([]any)), 2)
	cur := page1["next_cursor"].(string)
	page2 := e.must(200, "eve", "GET", "/api/v1/search?q=pricing&limit=2&cursor="+url.QueryEscape(cur), nil)
	is.Equal(len(page2["hits"].([]any)), 1)
	is.Equal(page2["next_cursor"], nil)

	// Explain.
	ex := e.must(200, "vic", "GET", "/api/v1/search/explain?q=pricing&item="+ids["pricing"], nil)
	is.Equal(ex["matched"], true)
	is.Equal(ex["tier"], "normal")
	is.True(len(ex["reasons"].([]any)) > 0)
	e.refused(404, "not_found", "otto", "GET", "/api/v1/search/explain?q=pricing&item="+ids["pricing"], nil)
	e.refused(404, "not_found", "vic", "GET", "/api/v1/search/explain?q=pricing&item="+ids["draft"], nil)
}

func TestSearchBadInput(t *testing.T) {
	is := is.New(t)
	e, _, _, _ := searchEnv(t)

	// A malformed query is a 400 that says where.
	r := e.do("vic", "GET", "/api/v1/search?q="+url.QueryEscape(`"open quote`), nil)
	is.Equal(r.status, 400)
	body := r.json()["error"].(map[string]any)
	is.Equal(body["code"], "invalid")
	is.Equal(body["position"], 0.0)
	is.Equal(body["fields"], map[string]any{"q": "unclosed quote"})
	r = e.do("vic", "GET", "/api/v1/search?q="+url.QueryEscape(`pricing AND`), nil)
	is.Equal(r.status, 400)
	is.Equal(r.json()["error"].(map[string]any)["position"], 8.0)
	r = e.do("vic", "GET", "/api/v1/search?q="+url.QueryEscape(`colour:red`), nil)
	is.Equal(r.status, 400)

	for _, tc := range []struct{ query, field string }{
		{"sort=loudest", "sort"},
		{"limit=0", "limit"},
		{"limit=101", "limit"},
		{"limit=ten", "limit"},
		{"type=hologram", "type"},
		{"audience=partners", "audience"},
		{"status=lost", "status"},
		{"list=nope", "list"},
		{"cursor=garbage", "cursor"},
		{"colour=red", "colour"},
		{"q=a&q=b", "q"},
	} {
		fields := e.refused(400, "invalid", "vic", "GET", "/api/v1/search?"+tc.query, nil)
		_, ok := fields[tc.field]
		is.True(ok) // the field is named
	}
	// A cursor from another search is refused.
	cur := e.must(200, "eve", "GET", "/api/v1/search?q=pricing&limit=1", nil)["next_cursor"].(string)
	e.refused(400, "invalid", "eve", "GET", "/api/v1/search?q=acme&limit=1&cursor="+url.QueryEscape(cur), nil)
	e.refused(400, "invalid", "vic", "GET", "/api/v1/search/explain?q=pricing", nil)
	e.refused(401, "unauthenticated", "", "GET", "/api/v1/search?q=pricing", nil)
}

func TestSearchReindex(t *testing.T) {
	is := is.New(t)
	e, _, _, _ := searchEnv(t)
	e.refused(403, "forbidden", "eve", "POST", "/api/v1/search/reindex", nil)
	r := e.must(200, "ada", "POST", "/api/v1/search/reindex", nil)
	is.Equal(r["indexed"], 3.0)
	is.Equal(e.must(200, "vic", "GET", "/api/v1/search?q=pricing", nil)["total"], 2.0)
}
