package httpapi_test

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// govEnv is an env over a chosen store with a clock the test moves, env's
// principals and
//
//	rob  content-contributor, an editor of desk
//	ann  analyst
//
// eve owns the restricted spot desk ("Deal Desk"), which sales (vic) may
// view and rob may edit.
type govEnv struct {
	*env
	clock *clock
	desk  string
}

// eachGovStore runs f once per backend with a fresh govEnv.
func eachGovStore(t *testing.T, f func(t *testing.T, e *govEnv)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, newGovEnv(t, b.open(t))) })
	}
}

func newGovEnv(t *testing.T, st store.Store) *govEnv {
	t.Helper()
	ctx := context.Background()
	blobsDir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := localblobs.New(blobsDir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: now}
	logs := &syncBuffer{}
	lib, err := briefcase.New(ctx, briefcase.Config{Store: st, Blobs: blobs, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	srv := httptest.NewServer(lib.Handler())
	t.Cleanup(srv.Close)
	e := &govEnv{env: &env{t: t, lib: lib, srv: srv, ctx: ctx, tokens: map[string]string{}, logs: logs, blobsDir: blobsDir},
		clock: clk}
	e.user(spots.Principal{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}}, true)
	e.user(spots.Principal{ID: "eve", Name: "Eve Editor", Email: "eve@example.com", Groups: []string{"marketing"}}, true)
	e.user(spots.Principal{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com", Groups: []string{"sales"}}, false)
	e.user(spots.Principal{ID: "otto", Name: "Otto Outsider", Email: "otto@example.com"}, false)
	e.user(spots.Principal{ID: "rob", Name: "Rob Writer", Email: "rob@example.com"}, true)
	e.user(spots.Principal{ID: "ann", Name: "Ann Analyst", Email: "ann@example.com", Roles: []spots.PlatformRole{spots.Analyst}}, false)
	e.desk = e.spot("eve", map[string]any{"name": "Deal Desk", "visibility": "restricted"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/members/group:sales", map[string]any{"role": "viewer"})
	e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/members/user:rob", map[string]any{"role": "editor"})
	return e
}

// at formats a time as the API does.
func at(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// policyJSON is a policy as the API answers it: the default policy with
// the given fields changed.
func policyJSON(changes map[string]any) map[string]any {
	p := map[string]any{
		"require_feedback_owner": false, "max_expiry_days": 0.0, "require_list": false, "require_label": false,
		"require_description": false, "default_expiry_days": 0.0, "approval_required": false, "reviewers": []any{},
		"on_expiry": "flag", "notice_days": []any{30.0, 7.0, 0.0}, "verify_interval_days": 90.0,
	}
	for k, v := range changes {
		p[k] = v
	}
	return p
}

// named fails unless an error's fields name field.
func named(t *testing.T, fields map[string]string, field string) {
	t.Helper()
	if _, ok := fields[field]; !ok {
		t.Errorf("the error does not name %q: %v", field, fields)
	}
}

// actions returns the action of each audit entry.
func actions(entries []map[string]any) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e["action"].(string))
	}
	return out
}

// The whole life of governed content, as people drive it over HTTP.
func TestGovernanceFlowHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		policy := "/api/v1/spots/" + e.desk + "/policy"

		// A spot without a policy follows the default one.
		is.Equal(e.must(200, "eve", "GET", policy, nil), policyJSON(nil))
		old := e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Old Battlecard"})

		// Approval and a label become required; the item made before is
		// listed as violating, and left as it is.
		got := e.must(200, "eve", "PUT", policy, map[string]any{"approval_required": true, "require_label": true})
		strict := policyJSON(map[string]any{"approval_required": true, "require_label": true})
		is.Equal(got, map[string]any{
			"spot_id": e.desk, "policy": strict, "dry_run": false, "items": 1.0,
			"violations": []any{map[string]any{"item_id": old, "title": "Old Battlecard", "status": "published",
				"fields": map[string]any{"labels": "at least one label is required by the spot's policy"}}},
			"violation_count": 1.0, "changes": []any{}, "change_count": 0.0,
		})
		is.Equal(e.must(200, "eve", "GET", policy, nil), strict)
		is.Equal(e.must(200, "eve", "GET", "/api/v1/items/"+old, nil)["status"], "published")

		// Without a label an item is refused, naming labels, and nothing is made.
		deck := map[string]any{"spot_id": e.desk, "kind": "presentation", "title": "Product Deck",
			"expires_at": at(now.AddDate(0, 0, 45))}
		named(t, e.refused(400, "invalid", "rob", "POST", "/api/v1/items", deck), "labels")
		is.Equal(ids(e.do("eve", "GET", "/api/v1/items?spot="+e.desk+"&status=in_review", nil).items()), []string{})

		// With one it waits for review.
		deck["labels"] = []string{"deck"}
		created := e.must(201, "rob", "POST", "/api/v1/items", deck)
		item := created["id"].(string)
		is.Equal(created["status"], "in_review")
		is.Equal(created["submitted_at"], at(now))
		is.Equal(ids(e.do("eve", "GET", "/api/v1/governance/reviews", nil).items()), []string{item})
		is.Equal(ids(e.do("ada", "GET", "/api/v1/governance/reviews", nil).items()), []string{item})
		is.Equal(ids(e.do("rob", "GET", "/api/v1/governance/reviews", nil).items()), []string{})

		// Its author may not approve it, a viewer does not see it; the
		// spot's owner publishes it and the author is told.
		e.refused(403, "forbidden", "rob", "POST", "/api/v1/items/"+item+"/approve", nil)
		e.refused(404, "not_found", "vic", "POST", "/api/v1/items/"+item+"/approve", nil)
		approved := e.do("eve", "POST", "/api/v1/items/"+item+"/approve", nil)
		is.Equal(approved.status, 200)
		golden(t, "governance_approved.json", approved.body)
		is.Equal(approved.json()["status"], "published")
		is.Equal(ids(e.do("eve", "GET", "/api/v1/governance/reviews", nil).items()), []string{})
		notices := e.do("rob", "GET", "/api/v1/me/notices?unsent=true", nil)
		is.Equal(notices.status, 200)
		golden(t, "governance_notices.json", notices.body)

		// A dry run of a policy that caps expiry, archives expired items and
		// warns 50 days ahead lists what it would do and changes nothing.
		capped := map[string]any{"require_label": true, "max_expiry_days": 60, "on_expiry": "archive",
			"notice_days": []int{7, 50, 0, 7}}
		before := e.snapshot("eve", policy, "/api/v1/items/"+item, "/api/v1/items/"+old)
		got = e.must(200, "eve", "PUT", policy+"?dry_run=true", capped)
		cappedJSON := policyJSON(map[string]any{"require_label": true, "max_expiry_days": 60.0, "on_expiry": "archive",
			"notice_days": []any{50.0, 7.0, 0.0}})
		is.Equal(got, map[string]any{
			"spot_id": e.desk, "policy": cappedJSON, "dry_run": true, "items": 2.0,
			"violations": []any{map[string]any{"item_id": old, "title": "Old Battlecard", "status": "published",
				"fields": map[string]any{
					"labels":     "at least one label is required by the spot's policy",
					"expires_at": "required by the spot's policy (at most 60 days ahead)"}}},
			"violation_count": 1.0,
			"changes": []any{map[string]any{"item_id": item, "title": "Product Deck", "from": "published",
				"to": "expiring", "hidden": false}},
			"change_count": 1.0,
		})
		is.Equal(e.snapshot("eve", policy, "/api/v1/items/"+item, "/api/v1/items/"+old), before)

		// Set for real, the sweep applies it.
		got = e.must(200, "eve", "PUT", policy+"?dry_run=false", capped)
		is.Equal(got["dry_run"], false)
		is.Equal(got["change_count"], 1.0)
		is.Equal(e.must(200, "eve", "GET", policy, nil), cappedJSON)
		swept := e.must(200, "ada", "POST", "/api/v1/governance/sweep", nil)
		is.Equal(swept["transitions"], 1.0)
		is.Equal(e.must(200, "eve", "GET", "/api/v1/items/"+item, nil)["status"], "expiring")

		// Past its expiry date, the next sweep archives it.
		e.clock.advance(46 * 24 * time.Hour)
		e.refused(403, "forbidden", "eve", "POST", "/api/v1/governance/sweep", nil)
		swept = e.must(200, "ada", "POST", "/api/v1/governance/sweep", map[string]any{})
		is.Equal(keys(swept), []string{"examined", "messages_sent", "notices_failed", "notices_recorded", "notices_sent", "transitions"})
		is.Equal(swept["transitions"], 1.0)
		is.Equal(swept["notices_failed"], 0.0)
		is.True(swept["notices_sent"].(float64) >= 1)
		archived := e.must(200, "eve", "GET", "/api/v1/items/"+item, nil)
		is.Equal(archived["status"], "archived")
		is.Equal(ids(e.do("rob", "GET", "/api/v1/me/notices?unsent=true", nil).items()), []string{})

		// The audit log tells the story, step by step.
		log := e.do("eve", "GET", "/api/v1/audit?target_id="+item, nil).items()
		var lifecycle []string
		for _, en := range log {
			is.Equal(en["target_id"], item)
			if en["action"] == "item.lifecycle" {
				is.Equal(en["actor"], "ada")
				lifecycle = append(lifecycle, en["after"].(map[string]any)["status"].(string))
			}
		}
		is.Equal(lifecycle, []string{"expiring", "expired", "archived"})
		is.True(slices.Contains(actions(log), "item.approve"))

		// Restoring it needs a new date the policy allows.
		last := strconv.FormatInt(int64(log[len(log)-1]["seq"].(float64)), 10)
		restore := "/api/v1/items/" + item + "/restore"
		before = e.snapshot("eve", "/api/v1/items/"+item)
		named(t, e.refused(400, "invalid", "eve", "POST", restore, nil), "expires_at")
		named(t, e.refused(400, "invalid", "eve", "POST", restore,
			map[string]any{"expires_at": at(e.clock.Now().AddDate(0, 0, 90))}), "expires_at")
		is.Equal(e.snapshot("eve", "/api/v1/items/"+item), before)
		expires := e.clock.Now().AddDate(0, 0, 55)
		restored := e.must(200, "eve", "POST", restore, map[string]any{"expires_at": at(expires)})
		is.Equal(restored["status"], "published")
		is.Equal(restored["expires_at"], at(expires))
		log = e.do("eve", "GET", "/api/v1/audit?target_id="+item+"&cursor="+last, nil).items()
		is.Equal(actions(log), []string{"item.restore"})
	})
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// refusal is one request that must be refused with status and code,
// naming field when it is set.
type refusal struct {
	name, user, method, path string
	body                     any
	status                   int
	code, field              string
}

// refuseAll sends each refusal and checks that the answers of watched (as
// eve) did not change.
func (e *govEnv) refuseAll(t *testing.T, cases []refusal, watched ...string) {
	t.Helper()
	before := e.snapshot("eve", watched...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			fields := e.refused(c.status, c.code, c.user, c.method, c.path, c.body, contentType(c.body)...)
			if c.field != "" {
				named(t, fields, c.field)
			}
			if after := e.snapshot("eve", watched...); after != before {
				t.Fatalf("a refused request changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// plainText marks a body sent as text/plain.
type plainText string

func contentType(body any) []string {
	if _, ok := body.(plainText); ok {
		return []string{"Content-Type", "text/plain"}
	}
	return nil
}

func (e *govEnv) with(t *testing.T) *govEnv {
	c := *e
	c.env = e.env.with(t)
	return &c
}

func TestGovernancePolicyHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		policy := "/api/v1/spots/" + e.desk + "/policy"
		e.must(200, "eve", "PUT", policy, map[string]any{"require_description": true, "notice_days": []int{}})
		set := policyJSON(map[string]any{"require_description": true, "notice_days": []any{}})

		// Whoever may view the spot reads its policy.
		is.Equal(e.must(200, "vic", "GET", policy, nil), set)
		is.Equal(e.must(200, "rob", "GET", policy, nil), set)
		e.refused(404, "not_found", "otto", "GET", policy, nil)
		e.refused(404, "not_found", "eve", "GET", "/api/v1/spots/01900000-0000-7000-8000-000000000000/policy", nil)
		named(t, e.refused(400, "invalid", "eve", "GET", policy+"?verbose=true", nil), "verbose")

		// Personal spots follow the default policy and cannot set another
		// (an admin is told why).
		personal := e.must(200, "eve", "GET", "/api/v1/me", nil)["personal_spot_id"].(string)
		is.Equal(e.must(200, "eve", "GET", "/api/v1/spots/"+personal+"/policy", nil), policyJSON(nil))
		e.refused(422, "failed_precondition", "ada", "PUT", "/api/v1/spots/"+personal+"/policy", map[string]any{"require_label": true})
		is.Equal(e.must(200, "eve", "GET", "/api/v1/spots/"+personal+"/policy", nil), policyJSON(nil))

		ok := map[string]any{"require_label": true}
		e.refuseAll(t, []refusal{
			// Only owners and co-owners set it.
			{"editor sets", "rob", "PUT", policy, ok, 403, "forbidden", ""},
			{"viewer sets", "vic", "PUT", policy, ok, 403, "forbidden", ""},
			{"viewer dry run", "vic", "PUT", policy + "?dry_run=true", ok, 403, "forbidden", ""},
			{"outsider sets", "otto", "PUT", policy, ok, 404, "not_found", ""},
			{"unknown spot", "eve", "PUT", "/api/v1/spots/01900000-0000-7000-8000-000000000000/policy", ok, 404, "not_found", ""},
			// dry_run is true or false.
			{"dry_run yes", "eve", "PUT", policy + "?dry_run=yes", ok, 400, "invalid", "dry_run"},
			{"dry_run 1", "eve", "PUT", policy + "?dry_run=1", ok, 400, "invalid", "dry_run"},
			{"dry_run TRUE", "eve", "PUT", policy + "?dry_run=TRUE", ok, 400, "invalid", "dry_run"},
			{"dry_run empty", "eve", "PUT", policy + "?dry_run=", ok, 400, "invalid", "dry_run"},
			{"dry_run twice", "eve", "PUT", policy + "?dry_run=true&dry_run=false", ok, 400, "invalid", "dry_run"},
			{"unknown parameter", "eve", "PUT", policy + "?dryrun=true", ok, 400, "invalid", "dryrun"},
			// The body is a policy, strictly.
			{"unknown field", "eve", "PUT", policy, `{"require_label": true, "approval": true}`, 400, "invalid", "approval"},
			{"wrong type", "eve", "PUT", policy, `{"approval_required": "yes"}`, 400, "invalid", "approval_required"},
			{"days not a list", "eve", "PUT", policy, `{"notice_days": "7"}`, 400, "invalid", "notice_days"},
			{"bad window", "eve", "PUT", policy, `{"notice_days": [400]}`, 400, "invalid", "notice_days"},
			{"bad mode", "eve", "PUT", policy, `{"on_expiry": "delete"}`, 400, "invalid", "on_expiry"},
			{"bad mode dry run", "eve", "PUT", policy + "?dry_run=true", `{"on_expiry": "delete"}`, 400, "invalid", "on_expiry"},
			{"negative days", "eve", "PUT", policy, `{"max_expiry_days": -1}`, 400, "invalid", "max_expiry_days"},
			{"default beyond max", "eve", "PUT", policy, `{"max_expiry_days": 10, "default_expiry_days": 20}`, 400, "invalid", "default_expiry_days"},
			{"empty reviewer", "eve", "PUT", policy, `{"reviewers": [" "]}`, 400, "invalid", "reviewers"},
			{"no body", "eve", "PUT", policy, nil, 415, "invalid", "body"},
			{"empty body", "eve", "PUT", policy, "", 400, "invalid", "body"},
			{"not an object", "eve", "PUT", policy, `[]`, 400, "invalid", "body"},
			{"two objects", "eve", "PUT", policy, `{}{}`, 400, "invalid", "body"},
			{"not JSON", "eve", "PUT", policy, plainText(`require_label=true`), 415, "invalid", "body"},
		}, policy)

		// An admin sets it through an audited override.
		e.refused(400, "invalid", "ada", "PUT", policy, map[string]any{"reviewers": []string{"vic", "ann"}}) // ann may not view the spot
		e.refused(400, "invalid", "ada", "PUT", policy, map[string]any{"reviewers": []string{"nobody"}})
		got := e.must(200, "ada", "PUT", policy, map[string]any{"reviewers": []string{"vic", " vic "}})
		is.Equal(got["policy"].(map[string]any)["reviewers"], []any{"vic"})
		log := e.do("ada", "GET", "/api/v1/audit?target_kind=spot&target_id="+e.desk+"&actor=ada", nil).items()
		is.Equal(actions(log), []string{"spot.policy"})
		is.Equal(log[0]["override"], true)
		is.Equal(log[0]["before"], set)
	})
}

func TestGovernanceReviewHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/policy", map[string]any{"approval_required": true, "reviewers": []string{"vic"}})
		deck := e.item("rob", map[string]any{"spot_id": e.desk, "kind": "presentation", "title": "Deck"})
		e.clock.advance(time.Minute)
		sheet := e.item("rob", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Sheet"})
		e.clock.advance(time.Minute)
		own := e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Eve's own"})
		missing := "/api/v1/items/01900000-0000-7000-8000-000000000000"

		// The owner and the policy's reviewer have them waiting, oldest
		// submission first; nobody else.
		is.Equal(ids(e.do("eve", "GET", "/api/v1/governance/reviews", nil).items()), []string{deck, sheet, own})
		is.Equal(ids(e.do("vic", "GET", "/api/v1/governance/reviews", nil).items()), []string{deck, sheet, own})
		is.Equal(ids(e.do("rob", "GET", "/api/v1/governance/reviews", nil).items()), []string{})
		is.Equal(ids(e.do("otto", "GET", "/api/v1/governance/reviews", nil).items()), []string{})
		named(t, e.refused(400, "invalid", "eve", "GET", "/api/v1/governance/reviews?spot="+e.desk, nil), "spot")

		approve := "/api/v1/items/" + deck + "/approve"
		reject := "/api/v1/items/" + sheet + "/reject"
		e.refuseAll(t, []refusal{
			{"author approves", "rob", "POST", approve, nil, 403, "forbidden", ""},
			{"owner approves her own", "eve", "POST", "/api/v1/items/" + own + "/approve", nil, 403, "forbidden", ""},
			{"editor approves", "rob", "POST", "/api/v1/items/" + own + "/approve", nil, 403, "forbidden", ""},
			{"outsider approves", "otto", "POST", approve, nil, 404, "not_found", ""},
			{"analyst approves", "ann", "POST", approve, nil, 404, "not_found", ""},
			{"unknown item", "eve", "POST", missing + "/approve", nil, 404, "not_found", ""},
			{"approve unknown field", "eve", "POST", approve, `{"note": "fine"}`, 400, "invalid", "note"},
			{"approve not an object", "eve", "POST", approve, `[]`, 400, "invalid", "body"},
			{"approve not JSON", "eve", "POST", approve, plainText("ok"), 415, "invalid", "body"},
			{"reject without body", "eve", "POST", reject, nil, 400, "invalid", "reason"},
			{"reject without reason", "eve", "POST", reject, map[string]any{}, 400, "invalid", "reason"},
			{"reject blank reason", "eve", "POST", reject, map[string]any{"reason": "  "}, 400, "invalid", "reason"},
			{"reject long reason", "eve", "POST", reject, map[string]any{"reason": strings.Repeat("x", 2001)}, 400, "invalid", "reason"},
			{"reject reason not text", "eve", "POST", reject, `{"reason": 5}`, 400, "invalid", "reason"},
			{"reject unknown field", "eve", "POST", reject, `{"reason": "x", "comment": "y"}`, 400, "invalid", "comment"},
			{"author rejects", "rob", "POST", reject, map[string]any{"reason": "x"}, 403, "forbidden", ""},
			{"outsider rejects", "otto", "POST", reject, map[string]any{"reason": "x"}, 404, "not_found", ""},
		}, "/api/v1/items/"+deck, "/api/v1/items/"+sheet, "/api/v1/items/"+own, "/api/v1/governance/reviews")

		// The reviewer approves with {}; the owner rejects with a reason,
		// which the author is told.
		is.Equal(e.must(200, "vic", "POST", approve, map[string]any{})["status"], "published")
		e.refused(422, "failed_precondition", "eve", "POST", approve, nil)
		rejected := e.must(200, "eve", "POST", reject, map[string]any{"reason": "Add the FY26 prices"})
		is.Equal(rejected["status"], "draft")
		is.Equal(rejected["id"], sheet)
		is.Equal(ids(e.do("eve", "GET", "/api/v1/governance/reviews", nil).items()), []string{own})
		// An admin approves anyone's, audited as an override.
		is.Equal(e.must(200, "ada", "POST", "/api/v1/items/"+own+"/approve", nil)["status"], "published")
		is.Equal(e.do("ada", "GET", "/api/v1/audit?target_id="+own+"&actor=ada", nil).items()[0]["override"], true)
		ns := e.do("rob", "GET", "/api/v1/me/notices?item="+sheet, nil).items()
		is.Equal(len(ns), 1)
		is.Equal(ns[0]["kind"], "rejected")
		is.Equal(ns[0]["detail"], "Add the FY26 prices")
		log := e.do("eve", "GET", "/api/v1/audit?target_id="+sheet+"&actor=eve", nil).items()
		is.Equal(actions(log), []string{"item.reject"})
		is.Equal(log[0]["reason"], "Add the FY26 prices")
	})
}

func TestGovernanceArchiveRestoreHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		item := e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Battlecard"})
		archive, restore := "/api/v1/items/"+item+"/archive", "/api/v1/items/"+item+"/restore"
		missing := "/api/v1/items/01900000-0000-7000-8000-000000000000"
		watched := []string{"/api/v1/items/" + item, "/api/v1/audit?target_id=" + item}

		e.refuseAll(t, []refusal{
			{"viewer archives", "vic", "POST", archive, nil, 403, "forbidden", ""},
			{"outsider archives", "otto", "POST", archive, nil, 404, "not_found", ""},
			{"unknown item", "eve", "POST", missing + "/archive", nil, 404, "not_found", ""},
			{"unknown field", "eve", "POST", archive, `{"why": "old"}`, 400, "invalid", "why"},
			{"reason not text", "eve", "POST", archive, `{"reason": ["old"]}`, 400, "invalid", "reason"},
			{"long reason", "eve", "POST", archive, map[string]any{"reason": strings.Repeat("x", 2001)}, 400, "invalid", "reason"},
			{"not JSON", "eve", "POST", archive, plainText("reason=old"), 415, "invalid", "body"},
			{"restore published", "eve", "POST", restore, nil, 422, "failed_precondition", ""},
		}, watched...)

		// An editor archives without a reason; the owner with one.
		is.Equal(e.must(200, "rob", "POST", archive, nil)["status"], "archived")
		e.refused(422, "failed_precondition", "eve", "POST", archive, map[string]any{"reason": "again"})
		e.refused(404, "not_found", "vic", "GET", "/api/v1/items/"+item, nil) // archived: editors only

		e.refuseAll(t, []refusal{
			{"viewer restores", "vic", "POST", restore, nil, 404, "not_found", ""},
			{"outsider restores", "otto", "POST", restore, nil, 404, "not_found", ""},
			{"unknown item", "eve", "POST", missing + "/restore", nil, 404, "not_found", ""},
			{"not a time", "eve", "POST", restore, `{"expires_at": "tomorrow"}`, 400, "invalid", "expires_at"},
			{"empty time", "eve", "POST", restore, `{"expires_at": ""}`, 400, "invalid", "expires_at"},
			{"time not text", "eve", "POST", restore, `{"expires_at": 1767225600}`, 400, "invalid", "expires_at"},
			{"past time", "eve", "POST", restore, map[string]any{"expires_at": "2020-01-01T00:00:00Z"}, 400, "invalid", "expires_at"},
			{"unknown field", "eve", "POST", restore, map[string]any{"until": "2027-01-01T00:00:00Z"}, 400, "invalid", "until"},
			{"reason not taken", "eve", "POST", restore, map[string]any{"reason": "back"}, 400, "invalid", "reason"},
		}, watched...)

		// Without a date, it keeps none; with one, it gets it.
		restored := e.must(200, "rob", "POST", restore, nil)
		is.Equal(restored["status"], "published")
		is.Equal(restored["expires_at"], nil)
		e.must(200, "eve", "POST", archive, map[string]any{"reason": "Superseded by v2"})
		restored = e.must(200, "eve", "POST", restore, map[string]any{"expires_at": "2026-12-31T00:00:00Z"})
		is.Equal(restored["status"], "published")
		is.Equal(restored["expires_at"], "2026-12-31T00:00:00Z")
		is.Equal(e.must(200, "vic", "GET", "/api/v1/items/"+item, nil)["status"], "published")

		// Each move is audited, with its actor and reason.
		var moves []string
		for _, en := range e.do("eve", "GET", "/api/v1/audit?target_id="+item+"&target_kind=item", nil).items() {
			if a := en["action"].(string); a == "item.archive" || a == "item.restore" {
				reason, _ := en["reason"].(string)
				moves = append(moves, a+" "+en["actor"].(string)+" "+reason)
			}
		}
		is.Equal(moves, []string{"item.archive rob ", "item.restore rob ", "item.archive eve Superseded by v2", "item.restore eve "})
	})
}

// The sweep runs at the API's clock, for admins only.
func TestGovernanceSweepHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		item := e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Flash Sale",
			"expires_at": at(now.Add(time.Hour))})
		is.Equal(e.must(200, "ada", "POST", "/api/v1/governance/sweep", nil)["transitions"], 0.0)
		e.clock.advance(2 * time.Hour)

		sweep := "/api/v1/governance/sweep"
		e.refuseAll(t, []refusal{
			{"owner sweeps", "eve", "POST", sweep, nil, 403, "forbidden", ""},
			{"analyst sweeps", "ann", "POST", sweep, nil, 403, "forbidden", ""},
			{"viewer sweeps", "vic", "POST", sweep, nil, 403, "forbidden", ""},
			{"unknown field", "ada", "POST", sweep, map[string]any{"now": at(now)}, 400, "invalid", "now"},
			{"not an object", "ada", "POST", sweep, `"now"`, 400, "invalid", "body"},
			{"not JSON", "ada", "POST", sweep, plainText("go"), 415, "invalid", "body"},
		}, "/api/v1/items/"+item)
		e.refused(401, "unauthenticated", "", "POST", sweep, nil)

		got := e.must(200, "ada", "POST", sweep, nil)
		is.Equal(got["examined"], 1.0)
		is.Equal(got["transitions"], 1.0)
		is.Equal(e.must(200, "eve", "GET", "/api/v1/items/"+item, nil)["status"], "expired")
		// Again at the same time: nothing more to do.
		got = e.must(200, "ada", "POST", sweep, map[string]any{})
		is.Equal(got, map[string]any{"examined": 0.0, "transitions": 0.0, "notices_recorded": 0.0,
			"notices_sent": 0.0, "messages_sent": 0.0, "notices_failed": 0.0})
	})
}

func TestGovernanceReportHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		formula := `=HYPERLINK("https://evil.example","Click")`
		bad := e.item("eve", map[string]any{"spot_id": e.desk, "kind": "document", "title": formula})
		soon := e.item("rob", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Price List",
			"labels": []string{"pricing"}, "expires_at": at(now.AddDate(0, 0, 10))})
		e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/policy", map[string]any{"require_label": true})
		e.must(200, "eve", "PATCH", "/api/v1/spots/"+e.desk, map[string]any{"name": "@Deal Desk"})
		report := "/api/v1/governance/report"

		r := e.do("eve", "GET", report+"?spot="+e.desk, nil)
		is.Equal(r.status, 200)
		golden(t, "governance_report.json", r.body)
		rep := r.json()
		is.Equal(rep["generated_at"], at(now))
		sr := rep["spots"].([]any)[0].(map[string]any)
		is.Equal(sr["spot_id"], e.desk)
		is.Equal(sr["violating"].([]any)[0].(map[string]any)["item_id"], bad)
		is.Equal(sr["expiring_soon"].([]any)[0].(map[string]any)["item_id"], soon)

		// Editors and admins read it; viewers may not; outsiders do not see
		// the spot.
		for _, u := range []string{"rob", "ada"} {
			is.Equal(e.must(200, u, "GET", report+"?spot="+e.desk, nil)["spots"].([]any)[0].(map[string]any)["spot_id"], e.desk)
		}
		// Without spot: every spot the caller may report on.
		var spotIDs []string
		for _, s := range e.must(200, "vic", "GET", report, nil)["spots"].([]any) {
			spotIDs = append(spotIDs, s.(map[string]any)["spot_id"].(string))
		}
		is.True(!slices.Contains(spotIDs, e.desk))
		spotIDs = nil
		for _, s := range e.must(200, "ada", "GET", report, nil)["spots"].([]any) {
			spotIDs = append(spotIDs, s.(map[string]any)["spot_id"].(string))
		}
		is.True(slices.Contains(spotIDs, e.desk))

		e.refuseAll(t, []refusal{
			{"viewer", "vic", "GET", report + "?spot=" + e.desk, nil, 403, "forbidden", ""},
			{"outsider", "otto", "GET", report + "?spot=" + e.desk, nil, 404, "not_found", ""},
			{"unknown spot", "ada", "GET", report + "?spot=01900000-0000-7000-8000-000000000000", nil, 404, "not_found", ""},
			{"bad format", "eve", "GET", report + "?format=xlsx", nil, 400, "invalid", "format"},
			{"two spots", "eve", "GET", report + "?spot=" + e.desk + "&spot=" + e.desk, nil, 400, "invalid", "spot"},
			{"unknown parameter", "eve", "GET", report + "?status=expired", nil, 400, "invalid", "status"},
		}, "/api/v1/spots/"+e.desk+"/policy")

		// As CSV: one row per listed item, formulas defused.
		r = e.do("eve", "GET", report+"?spot="+e.desk+"&format=csv", nil)
		is.Equal(r.status, 200)
		is.Equal(r.header.Get("Content-Type"), "text/csv; charset=utf-8")
		is.True(strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;"))
		recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		is.NoErr(err)
		is.Equal(recs, [][]string{
			{"spot_id", "spot_name", "category", "item_id", "title", "status", "expires_at", "verify_by", "fields"},
			{e.desk, "'@Deal Desk", "violating", bad, "'" + formula, "published", "", "2026-05-31T10:00:00Z",
				"labels: at least one label is required by the spot's policy"},
			{e.desk, "'@Deal Desk", "expiring_soon", soon, "Price List", "expiring", "2026-03-12T10:00:00Z", "2026-05-31T10:00:00Z", ""},
			{e.desk, "'@Deal Desk", "never_viewed", soon, "Price List", "expiring", "2026-03-12T10:00:00Z", "2026-05-31T10:00:00Z", ""},
			{e.desk, "'@Deal Desk", "never_viewed", bad, "'" + formula, "published", "", "2026-05-31T10:00:00Z", ""},
		})
		r = e.do("vic", "GET", report+"?format=csv", nil)
		is.Equal(r.status, 200)
		is.Equal(strings.TrimSpace(string(r.body)), "spot_id,spot_name,category,item_id,title,status,expires_at,verify_by,fields")
	})
}

func TestGovernanceAuditHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		other := e.spot("ada", map[string]any{"name": "Announcements", "visibility": "public"})
		e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/policy", map[string]any{"require_label": true})
		e.clock.advance(time.Hour)
		e.must(200, "ada", "PUT", "/api/v1/spots/"+other+"/policy", map[string]any{"require_list": true})
		e.must(200, "ada", "PUT", "/api/v1/spots/"+other+"/members/user:eve", map[string]any{"role": "editor"})

		// Admins read it all, page by page.
		all := e.do("ada", "GET", "/api/v1/audit?limit=1000", nil)
		is.Equal(all.json()["next_cursor"], "")
		every := all.items()
		is.True(len(every) >= 6)
		var paged []map[string]any
		cursor := ""
		for range len(every) + 1 {
			page := e.must(200, "ada", "GET", "/api/v1/audit?limit=2&cursor="+cursor, nil)
			list := page["items"].([]any)
			is.True(len(list) <= 2)
			for _, en := range list {
				paged = append(paged, en.(map[string]any))
			}
			cursor = page["next_cursor"].(string)
			if cursor == "" {
				break
			}
			is.Equal(cursor, strconv.FormatInt(int64(list[len(list)-1].(map[string]any)["seq"].(float64)), 10))
		}
		is.Equal(cursor, "")
		is.Equal(paged, every)

		// Filters.
		for _, en := range e.do("ada", "GET", "/api/v1/audit?actor=eve", nil).items() {
			is.Equal(en["actor"], "eve")
		}
		policies := e.do("ada", "GET", "/api/v1/audit?target_kind=spot&spot="+e.desk+"&spot="+other+"&since="+at(now), nil).items()
		var targets []string
		for _, en := range policies {
			if en["action"] == "spot.policy" {
				targets = append(targets, en["target_id"].(string))
			}
		}
		is.Equal(targets, []string{e.desk, other})
		later := e.do("ada", "GET", "/api/v1/audit?since="+at(now.Add(time.Hour)), nil).items()
		is.Equal(actions(later), []string{"spot.policy", "spot.grant"})
		earlier := e.do("ada", "GET", "/api/v1/audit?until="+at(now.Add(time.Hour))+"&target_kind=spot&target_id="+other, nil).items()
		is.True(!slices.Contains(actions(earlier), "spot.policy"))

		// Owners read their own spots' entries; nobody else reads any.
		for _, en := range e.do("eve", "GET", "/api/v1/audit", nil).items() {
			is.Equal(en["spot_id"], e.desk)
		}
		audit := "/api/v1/audit"
		e.refuseAll(t, []refusal{
			{"editor", "rob", "GET", audit, nil, 403, "forbidden", ""},
			{"viewer", "vic", "GET", audit, nil, 403, "forbidden", ""},
			{"analyst", "ann", "GET", audit, nil, 403, "forbidden", ""},
			{"outsider", "otto", "GET", audit + "?spot=" + e.desk, nil, 403, "forbidden", ""},
			{"owner of another spot", "eve", "GET", audit + "?spot=" + other, nil, 403, "forbidden", ""},
			{"since not a time", "ada", "GET", audit + "?since=yesterday", nil, 400, "invalid", "since"},
			{"since a date", "ada", "GET", audit + "?since=2026-03-01", nil, 400, "invalid", "since"},
			{"until not a time", "ada", "GET", audit + "?until=2026-13-01T00:00:00Z", nil, 400, "invalid", "until"},
			{"until before since", "ada", "GET", audit + "?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", nil, 400, "invalid", "until"},
			{"limit zero", "ada", "GET", audit + "?limit=0", nil, 400, "invalid", "limit"},
			{"limit too large", "ada", "GET", audit + "?limit=1001", nil, 400, "invalid", "limit"},
			{"limit not a number", "ada", "GET", audit + "?limit=ten", nil, 400, "invalid", "limit"},
			{"cursor negative", "ada", "GET", audit + "?cursor=-1", nil, 400, "invalid", "cursor"},
			{"cursor not a number", "ada", "GET", audit + "?cursor=abc", nil, 400, "invalid", "cursor"},
			{"actor twice", "ada", "GET", audit + "?actor=eve&actor=ada", nil, 400, "invalid", "actor"},
			{"unknown parameter", "ada", "GET", audit + "?action=spot.policy", nil, 400, "invalid", "action"},
			{"malformed query", "ada", "GET", audit + "?actor=%zz", nil, 400, "invalid", "query"},
		}, "/api/v1/spots/"+e.desk+"/policy")
		e.refused(401, "unauthenticated", "", "GET", audit, nil)
	})
}

func TestGovernanceNoticesHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		e.must(200, "eve", "PUT", "/api/v1/spots/"+e.desk+"/policy", map[string]any{"approval_required": true})
		deck := e.item("rob", map[string]any{"spot_id": e.desk, "kind": "presentation", "title": "Deck"})
		sheet := e.item("rob", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Sheet"})
		brief := e.item("rob", map[string]any{"spot_id": e.desk, "kind": "document", "title": "Brief"})
		e.must(200, "eve", "POST", "/api/v1/items/"+deck+"/approve", nil)
		e.must(200, "eve", "POST", "/api/v1/items/"+sheet+"/reject", map[string]any{"reason": "Not yet"})
		e.clock.advance(time.Minute)
		e.must(200, "eve", "POST", "/api/v1/items/"+brief+"/approve", nil)

		notices := "/api/v1/me/notices"
		kinds := func(user, query string) []string {
			var out []string
			for _, n := range e.do(user, "GET", notices+query, nil).items() {
				is.Equal(n["recipient"], user)
				out = append(out, n["kind"].(string)+" "+n["item_id"].(string))
			}
			return out
		}
		// Newest first: the later notice, then those of the same time by
		// ID, the one recorded last first.
		newestFirst := []string{"approved " + brief, "rejected " + sheet, "approved " + deck}
		is.Equal(kinds("rob", ""), newestFirst)
		is.Equal(kinds("rob", "?item="+sheet), []string{"rejected " + sheet})
		is.Equal(kinds("rob", "?limit=1"), newestFirst[:1])
		is.Equal(kinds("eve", ""), nil) // her own only
		whole := e.do("rob", "GET", notices, nil)
		is.Equal(whole.json()["next_cursor"], "") // not a full page
		every := whole.items()

		// Page by page to the end: a full page's next_cursor is its last
		// notice's ID; the page after the last full one is empty.
		for _, limit := range []int{1, 2, 3} {
			var paged []map[string]any
			cursor := ""
			for range len(every) + 2 {
				page := e.must(200, "rob", "GET", notices+"?limit="+strconv.Itoa(limit)+"&cursor="+cursor, nil)
				list := page["items"].([]any)
				is.True(len(list) <= limit)
				for _, n := range list {
					paged = append(paged, n.(map[string]any))
				}
				cursor = page["next_cursor"].(string)
				if cursor == "" {
					is.True(len(list) < limit)
					break
				}
				is.Equal(len(list), limit)
				is.Equal(cursor, list[len(list)-1].(map[string]any)["id"])
			}
			is.Equal(cursor, "")
			is.Equal(paged, every)
		}
		// The cursor goes with the filters.
		is.Equal(kinds("rob", "?item="+deck+"&cursor="+every[0]["id"].(string)), []string{"approved " + deck})
		is.Equal(kinds("rob", "?unsent=true&limit=1&cursor="+every[1]["id"].(string)), []string{"approved " + deck})
		// A cursor that names no notice: an empty page, not an error.
		unknown := e.do("rob", "GET", notices+"?cursor=01900000-0000-7000-8000-000000000000", nil)
		is.Equal(unknown.status, 200)
		is.Equal(unknown.items(), []map[string]any{})
		is.Equal(unknown.json()["next_cursor"], "")

		// Once delivered, they are no longer unsent.
		e.must(200, "ada", "POST", "/api/v1/governance/sweep", nil)
		is.Equal(kinds("rob", "?unsent=true"), nil)
		is.Equal(kinds("rob", "?unsent=false"), newestFirst)
		for _, n := range e.do("rob", "GET", notices, nil).items() {
			is.Equal(n["sent_at"], at(now.Add(time.Minute)))
		}

		e.refuseAll(t, []refusal{
			{"unsent yes", "rob", "GET", notices + "?unsent=yes", nil, 400, "invalid", "unsent"},
			{"unsent 1", "rob", "GET", notices + "?unsent=1", nil, 400, "invalid", "unsent"},
			{"limit zero", "rob", "GET", notices + "?limit=0", nil, 400, "invalid", "limit"},
			{"limit too large", "rob", "GET", notices + "?limit=1001", nil, 400, "invalid", "limit"},
			{"limit not a number", "rob", "GET", notices + "?limit=all", nil, 400, "invalid", "limit"},
			{"limit zero with a cursor", "rob", "GET", notices + "?limit=0&cursor=" + every[0]["id"].(string), nil, 400, "invalid", "limit"},
			{"someone else's", "rob", "GET", notices + "?recipient=eve", nil, 400, "invalid", "recipient"},
			{"item twice", "rob", "GET", notices + "?item=a&item=b", nil, 400, "invalid", "item"},
			{"cursor twice", "rob", "GET", notices + "?cursor=a&cursor=b", nil, 400, "invalid", "cursor"},
		})
		e.refused(401, "unauthenticated", "", "GET", notices, nil)
	})
}

func TestGovernanceRevokeEditorHTTP(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		revoke := "/api/v1/users/rob/revoke-editor"
		reason := map[string]any{"reason": "Shared an expired price list"}
		e.refuseAll(t, []refusal{
			{"spot owner", "eve", "POST", revoke, reason, 403, "forbidden", ""},
			{"the user", "rob", "POST", revoke, reason, 403, "forbidden", ""},
			{"analyst", "ann", "POST", revoke, reason, 403, "forbidden", ""},
			{"no body", "ada", "POST", revoke, nil, 400, "invalid", "reason"},
			{"no reason", "ada", "POST", revoke, map[string]any{}, 400, "invalid", "reason"},
			{"blank reason", "ada", "POST", revoke, map[string]any{"reason": " "}, 400, "invalid", "reason"},
			{"long reason", "ada", "POST", revoke, map[string]any{"reason": strings.Repeat("x", 2001)}, 400, "invalid", "reason"},
			{"unknown field", "ada", "POST", revoke, `{"reason": "x", "until": "2027-01-01T00:00:00Z"}`, 400, "invalid", "until"},
			{"not JSON", "ada", "POST", revoke, plainText("reason=x"), 415, "invalid", "body"},
			{"unknown user", "ada", "POST", "/api/v1/users/nobody/revoke-editor", reason, 404, "not_found", ""},
		}, "/api/v1/users", "/api/v1/audit?target_kind=principal")

		got := e.must(200, "ada", "POST", revoke, reason)
		is.Equal(got["id"], "rob")
		is.Equal(got["trainings"], []any{})
		// Capped to viewer: rob no longer writes in desk.
		e.refused(403, "forbidden", "rob", "POST", "/api/v1/items", map[string]any{"spot_id": e.desk, "kind": "document", "title": "X"})
		log := e.do("ada", "GET", "/api/v1/audit?target_kind=principal&target_id=rob&actor=ada", nil).items()
		is.Equal(actions(log), []string{"principal.training.revoke"}) // one entry, in the revocation's transaction
		is.Equal(log[0]["reason"], "content-contributor: editor rights revoked: Shared an expired price list")
		// Recording the training again gives the rights back.
		e.must(200, "ada", "POST", "/api/v1/users/rob/trainings/content-contributor", nil)
		e.must(201, "rob", "POST", "/api/v1/items", map[string]any{"spot_id": e.desk, "kind": "document", "title": "X"})
	})
}

// Without a governance service the routes say so.
func TestGovernanceNotConfiguredHTTP(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Spots: e.lib.Spots, Items: e.lib.Items, Tokens: e.lib.Tokens,
		Identity: e.lib.Tokens}))
	t.Cleanup(srv.Close)
	e.srv = srv
	for _, r := range [][2]string{
		{"GET", "/api/v1/spots/x/policy"}, {"PUT", "/api/v1/spots/x/policy"},
		{"POST", "/api/v1/items/x/approve"}, {"POST", "/api/v1/items/x/reject"},
		{"POST", "/api/v1/items/x/archive"}, {"POST", "/api/v1/items/x/restore"},
		{"GET", "/api/v1/governance/reviews"}, {"POST", "/api/v1/governance/sweep"},
		{"GET", "/api/v1/governance/report"}, {"GET", "/api/v1/audit"}, {"GET", "/api/v1/me/notices"},
		{"POST", "/api/v1/users/x/revoke-editor"},
	} {
		e.refused(503, "unavailable", "ada", r[0], r[1], nil)
	}
	// Still authenticated first.
	e.refused(401, "unauthenticated", "", "GET", "/api/v1/audit", nil)
}

// Personal spots always follow the default policy: their owner is told
// so (422), not that only owners set policies.
func TestGovernancePersonalSpotPolicy(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		personal := e.must(200, "eve", "GET", "/api/v1/me", nil)["personal_spot_id"].(string)
		e.refused(422, "failed_precondition", "eve", "PUT", "/api/v1/spots/"+personal+"/policy",
			map[string]any{"require_label": true})
	})
}

// Analysts read a spot's compliance report only where they are editors:
// it names drafts, items in review and hidden items.
func TestGovernanceAnalystReport(t *testing.T) {
	eachGovStore(t, func(t *testing.T, e *govEnv) {
		is := is.New(t)
		e.refused(404, "not_found", "ann", "GET", "/api/v1/governance/report?spot="+e.desk, nil)
		var spotIDs []string
		for _, s := range e.must(200, "ann", "GET", "/api/v1/governance/report", nil)["spots"].([]any) {
			spotIDs = append(spotIDs, s.(map[string]any)["spot_id"].(string))
		}
		is.True(!slices.Contains(spotIDs, e.desk)) // nor counted in the all-spots report
	})
}
