package storetest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/store"
)

var auditTests = []subtest{
	{"RoundTrip", testAuditRoundTrip},
	{"Seq", testAuditSeq},
	{"Filters", testAuditFilters},
	{"DefaultLimit", testAuditDefaultLimit},
	{"Copies", testAuditCopies},
}

func (e *env) listAudit(f audit.Filter) []audit.Entry {
	e.t.Helper()
	got, err := e.s.ListAudit(e.ctx, f)
	noErr(e.t, err, "ListAudit")
	return got
}

func testAuditRoundTrip(e *env) {
	want := e.entry("item.update")
	checkPopulated(e.t, want, "Seq")
	noErr(e.t, e.s.AppendAudit(e.ctx, want), "AppendAudit")
	bare := audit.Entry{At: e.now(), Actor: "system", Action: "spot.delete", TargetKind: "spot", TargetID: newID()}
	noErr(e.t, e.s.AppendAudit(e.ctx, bare), "AppendAudit without SpotID, Reason, Before and After")
	got := e.listAudit(audit.Filter{})
	if len(got) != 2 {
		e.t.Fatalf("ListAudit after two AppendAudit calls returned %d entries", len(got))
	}
	if got[0].Seq <= 0 {
		e.t.Fatalf("AppendAudit must assign a positive Seq: got %d", got[0].Seq)
	}
	checkSame(e.t, "ListAudit", got[0], want, "Seq")
	checkSame(e.t, "ListAudit of an entry with empty optional fields", got[1], bare, "Seq")

	// Seq set by the caller is ignored: the store assigns it.
	forged := e.entry("item.create")
	forged.Seq = 1 << 40
	noErr(e.t, e.s.AppendAudit(e.ctx, forged), "AppendAudit with Seq set")
	got = e.listAudit(audit.Filter{})
	if last := got[len(got)-1]; last.Seq == forged.Seq || last.Seq <= got[1].Seq {
		e.t.Fatalf("AppendAudit must assign Seq itself (ignoring the caller's %d): got Seq %d after %d", forged.Seq, last.Seq, got[1].Seq)
	}
}

func testAuditSeq(e *env) {
	for i := range 10 {
		noErr(e.t, e.s.AppendAudit(e.ctx, e.entry(fmt.Sprint("a.", i))), "AppendAudit")
	}
	got := e.listAudit(audit.Filter{})
	if len(got) != 10 {
		e.t.Fatalf("ListAudit returned %d entries, want 10", len(got))
	}
	for i, en := range got {
		if en.Action != fmt.Sprint("a.", i) {
			e.t.Fatalf("ListAudit entry %d is %q, want %q: entries come back in append (Seq) order", i, en.Action, fmt.Sprint("a.", i))
		}
		if i > 0 && en.Seq <= got[i-1].Seq {
			e.t.Fatalf("audit Seq is not strictly increasing: entry %d has Seq %d after %d", i, en.Seq, got[i-1].Seq)
		}
	}
}

func testAuditFilters(e *env) {
	spotA, spotB := newID(), newID()
	type spec struct{ actor, kind, target, spot string }
	target := newID()
	specs := []spec{
		{"alice", "item", target, spotA},
		{"bob", "item", target, spotA},
		{"alice", "spot", spotB, spotB},
		{"carol", "item", newID(), spotB},
		{"alice", "principal", "dave", ""},
		{"bob", "list", newID(), ""},
	}
	var appended []audit.Entry
	for i, s := range specs {
		en := e.entry(fmt.Sprint("action.", i))
		en.Actor, en.TargetKind, en.TargetID, en.SpotID = s.actor, s.kind, s.target, s.spot
		noErr(e.t, e.s.AppendAudit(e.ctx, en), "AppendAudit")
		appended = append(appended, en)
	}
	all := e.listAudit(audit.Filter{})
	if len(all) != len(specs) {
		e.t.Fatalf("ListAudit(zero filter) returned %d entries, want %d", len(all), len(specs))
	}
	action := func(en audit.Entry) string { return en.Action }
	A := func(is ...int) []string {
		out := make([]string, len(is))
		for i, n := range is {
			out[i] = fmt.Sprint("action.", n)
		}
		return out
	}
	// Times of the entries in another zone: filters compare instants.
	utc := func(i int) time.Time { return appended[i].At.UTC() }
	cases := []struct {
		name string
		f    audit.Filter
		want []string
	}{
		{"Actor", audit.Filter{Actor: "alice"}, A(0, 2, 4)},
		{"TargetKind", audit.Filter{TargetKind: "item"}, A(0, 1, 3)},
		{"TargetKind and TargetID", audit.Filter{TargetKind: "item", TargetID: target}, A(0, 1)},
		{"TargetID", audit.Filter{TargetID: "dave"}, A(4)},
		{"SpotIDs", audit.Filter{SpotIDs: []string{spotB}}, A(2, 3)},
		{"SpotIDs two spots", audit.Filter{SpotIDs: []string{spotA, spotB}}, A(0, 1, 2, 3)},
		{"SpotIDs unknown", audit.Filter{SpotIDs: []string{newID()}}, nil},
		{"Actor and SpotIDs", audit.Filter{Actor: "alice", SpotIDs: []string{spotA, spotB}}, A(0, 2)},
		{"Since (inclusive)", audit.Filter{Since: utc(3)}, A(3, 4, 5)},
		{"Until (exclusive)", audit.Filter{Until: utc(2)}, A(0, 1)},
		{"Since and Until", audit.Filter{Since: utc(1), Until: utc(4)}, A(1, 2, 3)},
		{"Since in another zone", audit.Filter{Since: appended[3].At.In(time.FixedZone("UTC-07", -7*3600))}, A(3, 4, 5)},
		{"AfterSeq", audit.Filter{AfterSeq: all[2].Seq}, A(3, 4, 5)},
		{"AfterSeq and Limit", audit.Filter{AfterSeq: all[0].Seq, Limit: 2}, A(1, 2)},
		{"Limit", audit.Filter{Limit: 3}, A(0, 1, 2)},
		{"AfterSeq of the last entry", audit.Filter{AfterSeq: all[5].Seq}, nil},
		{"Actor, AfterSeq and Limit (limit applies after filtering)", audit.Filter{Actor: "alice", AfterSeq: all[0].Seq, Limit: 1}, A(2)},
	}
	for _, tc := range cases {
		checkIDs(e.t, "ListAudit("+tc.name+"), listed by Action", ids(e.listAudit(tc.f), action), tc.want)
	}
}

func testAuditDefaultLimit(e *env) {
	err := e.s.Atomic(e.ctx, func(tx store.Store) error {
		for i := range 105 {
			if err := tx.AppendAudit(e.ctx, e.entry(fmt.Sprint("a.", i))); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(e.t, err, "AppendAudit 105 entries in Atomic")
	got := e.listAudit(audit.Filter{})
	if len(got) != 100 || got[0].Action != "a.0" || got[99].Action != "a.99" {
		e.t.Fatalf("ListAudit(Limit 0) must return the first 100 entries (zero means 100): got %d entries", len(got))
	}
	if got := e.listAudit(audit.Filter{Limit: 105}); len(got) != 105 {
		e.t.Fatalf("ListAudit(Limit 105) returned %d entries, want 105", len(got))
	}
}

func testAuditCopies(e *env) {
	en := e.entry("item.update")
	want := en
	want.Before, want.After = json.RawMessage(string(en.Before)), json.RawMessage(string(en.After))
	noErr(e.t, e.s.AppendAudit(e.ctx, en), "AppendAudit")
	en.Before[2], en.After[2] = 'X', 'X'
	got := e.listAudit(audit.Filter{})
	checkSame(e.t, "ListAudit after the caller modified the Before and After it passed to AppendAudit (stores must copy them)", got[0], want, "Seq")
	got[0].Before[2], got[0].After[2] = 'Y', 'Y'
	checkSame(e.t, "ListAudit after the caller modified the Before and After ListAudit returned", e.listAudit(audit.Filter{})[0], want, "Seq")
}

var tokenTests = []subtest{
	{"RoundTrip", testTokenRoundTrip},
	{"Conflict", testTokenConflict},
	{"NotFound", testTokenNotFound},
}

func testTokenRoundTrip(e *env) {
	t1 := e.token("alice")
	checkPopulated(e.t, t1)
	t2 := e.token("alice")
	t2.ExpiresAt = time.Time{} // never expires
	t3 := e.token("alice")
	other := e.token("bob")
	for _, tok := range []auth.Token{t3, other, t1, t2} {
		noErr(e.t, e.s.CreateToken(e.ctx, tok), "CreateToken")
	}
	got, err := e.s.TokenByHash(e.ctx, t1.Hash)
	noErr(e.t, err, "TokenByHash")
	checkSame(e.t, "TokenByHash", got, t1)
	got, err = e.s.TokenByHash(e.ctx, t2.Hash)
	noErr(e.t, err, "TokenByHash")
	checkSame(e.t, "TokenByHash of a token without expiry", got, t2)

	list, err := e.s.ListTokens(e.ctx, "alice")
	noErr(e.t, err, "ListTokens")
	tid := func(t auth.Token) string { return t.ID }
	checkIDs(e.t, "ListTokens(alice) (one principal's tokens, oldest CreatedAt first)", ids(list, tid), []string{t1.ID, t2.ID, t3.ID})
	checkSame(e.t, "ListTokens returns full tokens", list[0], t1)
	list, err = e.s.ListTokens(e.ctx, "carol")
	noErr(e.t, err, "ListTokens of a principal without tokens")
	checkIDs(e.t, "ListTokens(carol)", ids(list, tid), nil)

	noErr(e.t, e.s.DeleteToken(e.ctx, t2.ID), "DeleteToken")
	_, err = e.s.TokenByHash(e.ctx, t2.Hash)
	wantErr(e.t, err, auth.ErrNotFound, "TokenByHash of a deleted token")
	list, err = e.s.ListTokens(e.ctx, "alice")
	noErr(e.t, err, "ListTokens")
	checkIDs(e.t, "ListTokens(alice) after DeleteToken", ids(list, tid), []string{t1.ID, t3.ID})
}

func testTokenConflict(e *env) {
	t1 := e.token("alice")
	noErr(e.t, e.s.CreateToken(e.ctx, t1), "CreateToken")
	dupID := e.token("bob")
	dupID.ID = t1.ID
	wantErr(e.t, e.s.CreateToken(e.ctx, dupID), auth.ErrConflict, "CreateToken with an existing ID")
	dupHash := e.token("bob")
	dupHash.Hash = t1.Hash
	wantErr(e.t, e.s.CreateToken(e.ctx, dupHash), auth.ErrConflict, "CreateToken with an existing hash")
	got, err := e.s.TokenByHash(e.ctx, t1.Hash)
	noErr(e.t, err, "TokenByHash")
	checkSame(e.t, "a refused CreateToken must leave the existing token as it was", got, t1)
	list, err := e.s.ListTokens(e.ctx, "bob")
	noErr(e.t, err, "ListTokens")
	if len(list) != 0 {
		e.t.Fatalf("refused CreateToken calls stored tokens: %+v", list)
	}
}

func testTokenNotFound(e *env) {
	_, err := e.s.TokenByHash(e.ctx, auth.Hash("bc_unknown"))
	wantErr(e.t, err, auth.ErrNotFound, "TokenByHash of an unknown hash")
	wantErr(e.t, e.s.DeleteToken(e.ctx, newID()), auth.ErrNotFound, "DeleteToken of a missing ID")
}
