package httpapi_test

import (
	"strings"
	"testing"

	"github.com/matryer/is"
)

// itemsEnv has eve's restricted spot "Deal Desk" (sales may view) and
// ada's public spot "Announcements" (eve may edit).
func itemsEnv(t *testing.T, opts ...func(*envOptions)) (e *env, desk, announcements string) {
	e = newEnv(t, opts...)
	desk = e.spot("eve", map[string]any{"name": "Deal Desk", "visibility": "restricted"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+desk+"/members/group:sales", map[string]any{"role": "viewer"})
	announcements = e.spot("ada", map[string]any{"name": "Announcements", "visibility": "public"})
	e.must(200, "ada", "PUT", "/api/v1/spots/"+announcements+"/members/user:eve", map[string]any{"role": "editor"})
	return e, desk, announcements
}

func ids(list []map[string]any) []string {
	out := make([]string, 0, len(list))
	for _, m := range list {
		out = append(out, m["id"].(string))
	}
	return out
}

func TestItems(t *testing.T) {
	is := is.New(t)
	e, desk, announcements := itemsEnv(t)

	r := e.do("eve", "POST", "/api/v1/items", map[string]any{
		"spot_id": desk, "kind": "document", "title": "  Pricing Sheet ", "description": "List prices",
		"audience": "external", "downloadable": true, "labels": []string{"pricing", "fy26", "pricing"},
		"expires_at": "2026-09-01T00:00:00Z"})
	is.Equal(r.status, 201)
	golden(t, "item_created.json", r.body)
	doc := r.json()
	docID := doc["id"].(string)
	is.Equal(doc["title"], "Pricing Sheet")
	is.Equal(doc["labels"], []any{"fy26", "pricing"})
	is.Equal(doc["owners"], []any{map[string]any{"kind": "user", "id": "eve"}})
	is.Equal(doc["expires_at"], "2026-09-01T00:00:00Z")

	linkID := e.item("eve", map[string]any{"spot_id": desk, "kind": "link", "title": "Pricing calculator",
		"source": map[string]any{"type": "url", "url": "https://example.com/calc"}})
	draftID := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Next year", "status": "draft"})

	// Viewers see published items, not drafts; outsiders see nothing.
	is.Equal(e.must(200, "vic", "GET", "/api/v1/items/"+docID, nil)["title"], "Pricing Sheet")
	e.refused(404, "not_found", "vic", "GET", "/api/v1/items/"+draftID, nil)
	e.must(200, "eve", "GET", "/api/v1/items/"+draftID, nil)
	for _, path := range []string{"/api/v1/items/" + docID, "/api/v1/items/" + docID + "/versions"} {
		e.refused(404, "not_found", "otto", "GET", path, nil)
	}

	// Listing, newest first, with filters.
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items", nil).items()), []string{draftID, linkID, docID})
	is.Equal(ids(e.do("vic", "GET", "/api/v1/items", nil).items()), []string{linkID, docID})
	is.Equal(ids(e.do("otto", "GET", "/api/v1/items", nil).items()), []string{})
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items?spot="+desk+"&kind=link", nil).items()), []string{linkID})
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items?kind=link&kind=document&audience=external", nil).items()), []string{docID})
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items?status=draft", nil).items()), []string{draftID})
	is.Equal(ids(e.do("vic", "GET", "/api/v1/items?status=draft", nil).items()), []string{})
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items?status=draft&status=published", nil).items()), []string{draftID, linkID, docID})
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items?spot="+announcements, nil).items()), []string{})

	// Paging.
	page := e.must(200, "eve", "GET", "/api/v1/items?limit=2", nil)
	is.Equal(len(page["items"].([]any)), 2)
	cursor := page["next_cursor"].(string)
	is.True(cursor != "")
	page = e.must(200, "eve", "GET", "/api/v1/items?limit=2&cursor="+cursor, nil)
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items?limit=2&cursor="+cursor, nil).items()), []string{docID})
	is.Equal(page["next_cursor"], "")

	// Patching keeps what it does not name.
	patched := e.must(200, "eve", "PATCH", "/api/v1/items/"+docID, map[string]any{"title": "Pricing Sheet FY26", "promoted": true})
	is.Equal(patched["title"], "Pricing Sheet FY26")
	is.Equal(patched["promoted"], true)
	is.Equal(patched["description"], "List prices")

	// Verification takes no body, or {}; a field it does not take is refused.
	named(t, e.refused(400, "invalid", "eve", "POST", "/api/v1/items/"+docID+"/verify", `{"verify_by": "2027-01-01T00:00:00Z"}`), "verify_by")
	e.must(200, "eve", "POST", "/api/v1/items/"+docID+"/verify", map[string]any{})
	verified := e.must(200, "eve", "POST", "/api/v1/items/"+docID+"/verify", nil)
	is.Equal(verified["verified_at"], "2026-03-02T10:00:00Z")
	is.Equal(verified["verify_by"], "2026-05-31T10:00:00Z")

	// Placing it in a public spot shows it to everyone; unplacing hides it.
	placed := e.must(200, "eve", "PUT", "/api/v1/items/"+docID+"/placements/"+announcements, nil)
	is.Equal(placed["placements"], []any{announcements})
	is.Equal(e.must(200, "otto", "GET", "/api/v1/items/"+docID, nil)["id"], docID)
	is.Equal(ids(e.do("otto", "GET", "/api/v1/items?spot="+announcements, nil).items()), []string{docID})
	is.Equal(e.do("eve", "DELETE", "/api/v1/items/"+docID+"/placements/"+announcements, nil).status, 204)
	e.refused(404, "not_found", "otto", "GET", "/api/v1/items/"+docID, nil)
	e.refused(404, "not_found", "eve", "DELETE", "/api/v1/items/"+docID+"/placements/"+announcements, nil)
	e.refused(409, "conflict", "eve", "PUT", "/api/v1/items/"+docID+"/placements/"+desk, nil)
	personal := e.must(200, "eve", "GET", "/api/v1/me", nil)["personal_spot_id"].(string)
	e.refused(422, "failed_precondition", "eve", "PUT", "/api/v1/items/"+docID+"/placements/"+personal, nil)

	// Deleting.
	is.Equal(e.do("eve", "DELETE", "/api/v1/items/"+linkID, nil).status, 204)
	e.refused(404, "not_found", "eve", "GET", "/api/v1/items/"+linkID, nil)
	e.refused(404, "not_found", "eve", "DELETE", "/api/v1/items/"+linkID, nil)
	is.Equal(ids(e.do("eve", "GET", "/api/v1/items", nil).items()), []string{draftID, docID})
}

func TestItemsBadInput(t *testing.T) {
	e, desk, _ := itemsEnv(t)
	id := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing Sheet"})
	watched := []string{"/api/v1/items/" + id, "/api/v1/items", "/api/v1/items/" + id + "/versions"}
	before := e.snapshot("eve", watched...)

	valid := `"spot_id": "` + desk + `", "kind": "document", "title": "T"`
	for _, c := range []struct {
		name, method, body string
		field              string
	}{
		{"malformed", "POST", `{` + valid + `,`, "body"},
		{"unknown field", "POST", `{` + valid + `, "colour": "red"}`, "colour"},
		{"unknown nested field", "POST", `{` + valid + `, "source": {"type": "url", "uri": "https://x"}}`, "uri"},
		{"wrong type", "POST", `{` + valid + `, "downloadable": "yes"}`, "downloadable"},
		{"wrong nested type", "POST", `{` + valid + `, "source": {"type": 3}}`, "source.type"},
		{"wrong list type", "POST", `{` + valid + `, "labels": "pricing"}`, "labels"},
		{"wrong element type", "POST", `{` + valid + `, "labels": [1]}`, "labels"},
		{"bad time", "POST", `{` + valid + `, "expires_at": "next week"}`, "expires_at"},
		{"time as number", "POST", `{` + valid + `, "expires_at": 1767225600}`, "expires_at"},
		{"past expiry", "POST", `{` + valid + `, "expires_at": "2020-01-01T00:00:00Z"}`, "expires_at"},
		{"trailing", "POST", `{` + valid + `}]`, "body"},
		{"missing title", "POST", `{"spot_id": "` + desk + `", "kind": "document"}`, "title"},
		{"missing spot", "POST", `{"kind": "document", "title": "T"}`, "spot_id"},
		{"unknown spot", "POST", `{"spot_id": "nope", "kind": "document", "title": "T"}`, "spot_id"},
		{"bad kind", "POST", `{"spot_id": "` + desk + `", "kind": "hologram", "title": "T"}`, "kind"},
		{"bad audience", "POST", `{` + valid + `, "audience": "everyone"}`, "audience"},
		{"link without url", "POST", `{"spot_id": "` + desk + `", "kind": "link", "title": "T"}`, "source.url"},
		{"bad url", "POST", `{"spot_id": "` + desk + `", "kind": "link", "title": "T", "source": {"type": "url", "url": "javascript:alert(1)"}}`, "source.url"},
		{"empty body", "POST", ``, "body"},
		{"patch wrong type", "PATCH", `{"downloadable": "yes"}`, "downloadable"},
		{"patch empty title", "PATCH", `{"title": ""}`, "title"},
		{"patch unknown field", "PATCH", `{"titel": "X"}`, "titel"},
		{"patch bad status", "PATCH", `{"status": "archived"}`, "status"},
		{"patch bad time", "PATCH", `{"expires_at": "soon"}`, "expires_at"},
		{"patch unknown spot", "PATCH", `{"spot_id": "nope"}`, "spot_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			path := "/api/v1/items"
			if c.method == "PATCH" {
				path += "/" + id
			}
			fields := e.refused(400, "invalid", "eve", c.method, path, c.body)
			if _, ok := fields[c.field]; !ok {
				t.Errorf("the error does not name %q: %v", c.field, fields)
			}
			if after := e.snapshot("eve", watched...); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}

	t.Run("too large", func(t *testing.T) {
		e := e.with(t)
		huge := `{` + valid + `, "description": "` + strings.Repeat("x", 2<<20) + `"}`
		fields := e.refused(413, "invalid", "eve", "POST", "/api/v1/items", huge)
		if _, ok := fields["body"]; !ok {
			t.Errorf("the error does not name the body: %v", fields)
		}
		if after := e.snapshot("eve", watched...); after != before {
			t.Fatal("a refused request changed something")
		}
	})
}

func TestItemsListQuery(t *testing.T) {
	e, desk, _ := itemsEnv(t)
	e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing Sheet"})
	for _, c := range []struct{ query, field string }{
		{"limit=ten", "limit"},
		{"limit=1.5", "limit"},
		{"limit=0", "limit"},
		{"limit=-1", "limit"},
		{"limit=501", "limit"},
		{"limit=99999999999999999999", "limit"},
		{"status=gone", "status"},
		{"status=published&status=bogus", "status"},
		{"kind=hologram", "kind"},
		{"audience=everyone", "audience"},
		{"spot=a&spot=b", "spot"},
		{"limit=1&limit=2", "limit"},
		{"spots=" + desk, "spots"},
		{"q=pricing", "q"},
		{"spot=%zz", "query"},
	} {
		t.Run(c.query, func(t *testing.T) {
			fields := e.with(t).refused(400, "invalid", "eve", "GET", "/api/v1/items?"+c.query, nil)
			if _, ok := fields[c.field]; !ok {
				t.Errorf("the error does not name %q: %v", c.field, fields)
			}
		})
	}
}

func TestItemsPermissions(t *testing.T) {
	is := is.New(t)
	e, desk, announcements := itemsEnv(t)
	id := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing Sheet", "audience": "external"})
	watched := []string{"/api/v1/items/" + id, "/api/v1/items", "/api/v1/spots/" + announcements}
	before := e.snapshot("eve", watched...)

	for _, c := range []struct {
		name, user, method, path string
		body                     any
		status                   int
		code                     string
	}{
		// A viewer of the home spot sees the item but may not change it.
		{"viewer patches", "vic", "PATCH", "/api/v1/items/" + id, map[string]any{"title": "Mine"}, 403, "forbidden"},
		{"viewer deletes", "vic", "DELETE", "/api/v1/items/" + id, nil, 403, "forbidden"},
		{"viewer verifies", "vic", "POST", "/api/v1/items/" + id + "/verify", nil, 403, "forbidden"},
		{"viewer places", "vic", "PUT", "/api/v1/items/" + id + "/placements/" + announcements, nil, 403, "forbidden"},
		// In a restricted spot it does not exist for outsiders: 404, not 403.
		{"outsider reads", "otto", "GET", "/api/v1/items/" + id, nil, 404, "not_found"},
		{"outsider versions", "otto", "GET", "/api/v1/items/" + id + "/versions", nil, 404, "not_found"},
		{"outsider content", "otto", "GET", "/api/v1/items/" + id + "/content", nil, 404, "not_found"},
		{"outsider patches", "otto", "PATCH", "/api/v1/items/" + id, map[string]any{"title": "Mine"}, 404, "not_found"},
		{"outsider deletes", "otto", "DELETE", "/api/v1/items/" + id, nil, 404, "not_found"},
		{"outsider bookmarks", "otto", "PUT", "/api/v1/me/bookmarks/" + id, nil, 404, "not_found"},
		{"outsider verifies", "otto", "POST", "/api/v1/items/" + id + "/verify", nil, 404, "not_found"},
		{"unknown item verified", "eve", "POST", "/api/v1/items/01900000-0000-7000-8000-000000000000/verify", nil, 404, "not_found"},
		// Creating needs edit on the spot; one the caller cannot see is not named.
		{"viewer creates", "vic", "POST", "/api/v1/items", map[string]any{"spot_id": desk, "kind": "document", "title": "X"}, 403, "forbidden"},
		{"outsider creates", "otto", "POST", "/api/v1/items", map[string]any{"spot_id": desk, "kind": "document", "title": "X"}, 400, "invalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			e.refused(c.status, c.code, c.user, c.method, c.path, c.body)
			if after := e.snapshot("eve", watched...); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	// The 404 says nothing more than an item that never existed would.
	r1 := e.do("otto", "GET", "/api/v1/items/"+id, nil)
	r2 := e.do("otto", "GET", "/api/v1/items/01900000-0000-7000-8000-000000000000", nil)
	is.Equal(string(uuidRE.ReplaceAll(r1.body, nil)), string(uuidRE.ReplaceAll(r2.body, nil)))
}
