package httpapi_test

import (
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestLists(t *testing.T) {
	is := is.New(t)
	e, desk, _ := itemsEnv(t)
	item := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Pricing Sheet"})

	industry := e.must(201, "ada", "POST", "/api/v1/list-groups", map[string]any{"name": "Industry"})["id"].(string)
	region := e.must(201, "ada", "POST", "/api/v1/list-groups", map[string]any{"name": "Region"})["id"].(string)
	finance := e.must(201, "ada", "POST", "/api/v1/lists", map[string]any{"name": "Finance", "group_id": industry})
	is.Equal(finance["group_id"], industry)
	financeID := finance["id"].(string)
	retailID := e.must(201, "ada", "POST", "/api/v1/lists", map[string]any{"name": "Retail", "group_id": industry})["id"].(string)

	// Anyone reads the taxonomy: groups by name, each with its lists.
	groups := e.do("vic", "GET", "/api/v1/list-groups", nil).items()
	is.Equal(len(groups), 2)
	is.Equal(groups[0]["name"], "Industry")
	is.Equal(len(groups[0]["lists"].([]any)), 2)
	is.Equal(groups[1]["lists"], []any{})

	renamed := e.must(200, "ada", "PATCH", "/api/v1/lists/"+retailID, map[string]any{"name": "Retail & CPG", "group_id": region})
	is.Equal(renamed["name"], "Retail & CPG")
	is.Equal(renamed["group_id"], region)

	// Editors of the item's home spot file it.
	filed := e.must(200, "eve", "PUT", "/api/v1/lists/"+financeID+"/items/"+item, nil)
	is.Equal(filed["list_ids"], []any{financeID})
	e.must(200, "eve", "PUT", "/api/v1/lists/"+financeID+"/items/"+item, nil) // again: no-op
	is.Equal(ids(e.do("vic", "GET", "/api/v1/items?list="+financeID, nil).items()), []string{item})
	is.Equal(ids(e.do("vic", "GET", "/api/v1/items?list="+retailID, nil).items()), []string{})
	is.Equal(ids(e.do("vic", "GET", "/api/v1/items?list="+retailID+"&list="+financeID, nil).items()), []string{item})

	// Viewers may not; outsiders do not see the item.
	e.refused(403, "forbidden", "vic", "PUT", "/api/v1/lists/"+retailID+"/items/"+item, nil)
	e.refused(404, "not_found", "otto", "PUT", "/api/v1/lists/"+retailID+"/items/"+item, nil)
	e.refused(404, "not_found", "eve", "PUT", "/api/v1/lists/nope/items/"+item, nil)

	is.Equal(e.do("eve", "DELETE", "/api/v1/lists/"+financeID+"/items/"+item, nil).status, 204)
	e.refused(404, "not_found", "eve", "DELETE", "/api/v1/lists/"+financeID+"/items/"+item, nil)
	is.Equal(e.must(200, "eve", "GET", "/api/v1/items/"+item, nil)["list_ids"], []any{})

	is.Equal(e.do("ada", "DELETE", "/api/v1/lists/"+financeID, nil).status, 204)
	e.refused(404, "not_found", "ada", "DELETE", "/api/v1/lists/"+financeID, nil)
	e.refused(404, "not_found", "ada", "PATCH", "/api/v1/lists/"+financeID, map[string]any{"name": "Gone"})
}

func TestListsBadInput(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	group := e.must(201, "ada", "POST", "/api/v1/list-groups", map[string]any{"name": "Industry"})["id"].(string)
	list := e.must(201, "ada", "POST", "/api/v1/lists", map[string]any{"name": "Finance", "group_id": group})["id"].(string)
	before := e.snapshot("ada", "/api/v1/list-groups")

	for _, c := range []struct {
		name, user, method, path, body string
		status                         int
		code, field                    string
	}{
		{"group without name", "ada", "POST", "/api/v1/list-groups", `{}`, 400, "invalid", "name"},
		{"group name wrong type", "ada", "POST", "/api/v1/list-groups", `{"name": true}`, 400, "invalid", "name"},
		{"group unknown field", "ada", "POST", "/api/v1/list-groups", `{"name": "X", "lists": []}`, 400, "invalid", "lists"},
		{"list without group", "ada", "POST", "/api/v1/lists", `{"name": "Retail"}`, 400, "invalid", "group_id"},
		{"list unknown group", "ada", "POST", "/api/v1/lists", `{"name": "Retail", "group_id": "nope"}`, 400, "invalid", "group_id"},
		{"list without name", "ada", "POST", "/api/v1/lists", `{"group_id": "` + group + `"}`, 400, "invalid", "name"},
		{"patch empty name", "ada", "PATCH", "/api/v1/lists/" + list, `{"name": ""}`, 400, "invalid", "name"},
		{"patch unknown group", "ada", "PATCH", "/api/v1/lists/" + list, `{"group_id": "nope"}`, 400, "invalid", "group_id"},
		{"patch unknown field", "ada", "PATCH", "/api/v1/lists/" + list, `{"title": "X"}`, 400, "invalid", "title"},
		// The taxonomy is the admins'.
		{"non-admin group", "eve", "POST", "/api/v1/list-groups", `{"name": "Mine"}`, 403, "forbidden", ""},
		{"non-admin list", "eve", "POST", "/api/v1/lists", `{"name": "Mine", "group_id": "` + group + `"}`, 403, "forbidden", ""},
		{"non-admin rename", "eve", "PATCH", "/api/v1/lists/" + list, `{"name": "Mine"}`, 403, "forbidden", ""},
		{"non-admin delete", "eve", "DELETE", "/api/v1/lists/" + list, ``, 403, "forbidden", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			var body any
			if c.body != "" {
				body = c.body
			}
			fields := e.refused(c.status, c.code, c.user, c.method, c.path, body)
			if c.field != "" {
				if _, ok := fields[c.field]; !ok {
					t.Errorf("the error does not name %q: %v", c.field, fields)
				}
			}
			if after := e.snapshot("ada", "/api/v1/list-groups"); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}

	// A duplicate name is a conflict; the message is the service's, not the
	// storage adapter's.
	r := e.do("ada", "POST", "/api/v1/list-groups", map[string]any{"name": "industry"})
	is.Equal(r.status, 409)
	code, msg, _ := r.apiError()
	is.Equal(code, "conflict")
	is.True(!strings.Contains(msg, "memstore"))
	is.True(!strings.Contains(string(r.body), "memstore"))
	is.Equal(e.snapshot("ada", "/api/v1/list-groups"), before)
}

func TestBookmarks(t *testing.T) {
	is := is.New(t)
	e, desk, _ := itemsEnv(t)
	older := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Older"})
	newer := e.item("eve", map[string]any{"spot_id": desk, "kind": "document", "title": "Newer"})

	is.Equal(len(e.do("vic", "GET", "/api/v1/me/bookmarks", nil).items()), 0)
	b := e.must(200, "vic", "PUT", "/api/v1/me/bookmarks/"+older, nil)
	is.Equal(b["item_id"], older)
	is.Equal(b["principal_id"], "vic")
	e.must(200, "vic", "PUT", "/api/v1/me/bookmarks/"+newer, nil)
	e.must(200, "vic", "PUT", "/api/v1/me/bookmarks/"+newer, nil) // again: kept

	list := e.do("vic", "GET", "/api/v1/me/bookmarks", nil).items()
	is.Equal(len(list), 2)
	is.Equal(list[0]["item"].(map[string]any)["title"], "Newer")
	is.Equal(len(e.do("eve", "GET", "/api/v1/me/bookmarks", nil).items()), 0) // bookmarks are personal

	is.Equal(e.do("vic", "DELETE", "/api/v1/me/bookmarks/"+newer, nil).status, 204)
	e.refused(404, "not_found", "vic", "DELETE", "/api/v1/me/bookmarks/"+newer, nil)
	list = e.do("vic", "GET", "/api/v1/me/bookmarks", nil).items()
	is.Equal(len(list), 1)
	is.Equal(list[0]["item_id"], older)

	// An item out of reach cannot be bookmarked, and one that moves out of
	// reach stops being listed.
	e.refused(404, "not_found", "otto", "PUT", "/api/v1/me/bookmarks/"+older, nil)
	is.Equal(e.do("eve", "DELETE", "/api/v1/spots/"+desk+"/members/group:sales", nil).status, 204)
	is.Equal(len(e.do("vic", "GET", "/api/v1/me/bookmarks", nil).items()), 0)
}
