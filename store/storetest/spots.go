package storetest

import (
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/spots"
)

var spotTests = []subtest{
	{"RoundTrip", testSpotRoundTrip},
	{"NotFound", testSpotNotFound},
	{"Conflict", testSpotConflict},
	{"Update", testSpotUpdate},
	{"PersonalSpot", testPersonalSpot},
	{"ListSpots", testListSpots},
	{"Copies", testSpotCopies},
}

func testSpotRoundTrip(e *env) {
	want := e.spot("Platform")
	checkPopulated(e.t, want, "OwnerID")
	noErr(e.t, e.s.CreateSpot(e.ctx, want), "CreateSpot")
	got, err := e.s.GetSpot(e.ctx, want.ID)
	noErr(e.t, err, "GetSpot after CreateSpot")
	checkSame(e.t, "GetSpot", got, want)

	personal := e.personalSpot("alice")
	checkPopulated(e.t, personal, "Region", "Official")
	noErr(e.t, e.s.CreateSpot(e.ctx, personal), "CreateSpot (personal)")
	got, err = e.s.GetSpot(e.ctx, personal.ID)
	noErr(e.t, err, "GetSpot of a personal spot")
	checkSame(e.t, "GetSpot of a personal spot", got, personal)

	// Zero optional fields and zero times stay zero.
	bare := spots.Spot{ID: newID(), Name: "Bare", Kind: spots.KindTeam, Visibility: spots.Restricted}
	noErr(e.t, e.s.CreateSpot(e.ctx, bare), "CreateSpot with zero times and no policy")
	got, err = e.s.GetSpot(e.ctx, bare.ID)
	noErr(e.t, err, "GetSpot of a spot with zero times")
	checkSame(e.t, "GetSpot of a spot with zero times and no policy", got, bare)
}

func testSpotNotFound(e *env) {
	missing := newID()
	_, err := e.s.GetSpot(e.ctx, missing)
	wantErr(e.t, err, spots.ErrNotFound, "GetSpot of a missing ID")
	_, err = e.s.PersonalSpot(e.ctx, "nobody")
	wantErr(e.t, err, spots.ErrNotFound, "PersonalSpot of a principal without one")
	s := e.spot("Ghost")
	wantErr(e.t, e.s.UpdateSpot(e.ctx, s), spots.ErrNotFound, "UpdateSpot of a missing spot")
	wantErr(e.t, e.s.DeleteSpot(e.ctx, missing), spots.ErrNotFound, "DeleteSpot of a missing spot")
	_, err = e.s.GetSpot(e.ctx, s.ID)
	wantErr(e.t, err, spots.ErrNotFound, "GetSpot after UpdateSpot of a missing spot (UpdateSpot must not create it)")

	// A deleted spot is gone.
	s = e.createSpot("Deleted")
	noErr(e.t, e.s.DeleteSpot(e.ctx, s.ID), "DeleteSpot")
	_, err = e.s.GetSpot(e.ctx, s.ID)
	wantErr(e.t, err, spots.ErrNotFound, "GetSpot after DeleteSpot")
	wantErr(e.t, e.s.DeleteSpot(e.ctx, s.ID), spots.ErrNotFound, "DeleteSpot twice")
}

func testSpotConflict(e *env) {
	s := e.createSpot("Platform")
	dup := e.spot("Other name")
	dup.ID = s.ID
	wantErr(e.t, e.s.CreateSpot(e.ctx, dup), spots.ErrConflict, "CreateSpot with an existing ID")
	got, err := e.s.GetSpot(e.ctx, s.ID)
	noErr(e.t, err, "GetSpot after a refused CreateSpot")
	checkSame(e.t, "a refused CreateSpot must leave the existing spot as it was", got, s)

	p1 := e.personalSpot("alice")
	noErr(e.t, e.s.CreateSpot(e.ctx, p1), "CreateSpot first personal spot of alice")
	p2 := e.personalSpot("alice")
	wantErr(e.t, e.s.CreateSpot(e.ctx, p2), spots.ErrConflict, "CreateSpot of a second personal spot for the same owner")
	_, err = e.s.GetSpot(e.ctx, p2.ID)
	wantErr(e.t, err, spots.ErrNotFound, "GetSpot of the refused second personal spot")

	// Other owners, and non-personal spots, are not limited.
	noErr(e.t, e.s.CreateSpot(e.ctx, e.personalSpot("bob")), "CreateSpot personal spot of another owner")
	noErr(e.t, e.s.CreateSpot(e.ctx, e.spot("Platform")), "CreateSpot of a second spot with the same name (names are not unique)")
}

func testSpotUpdate(e *env) {
	orig := e.createSpot("Platform")
	upd := spots.Spot{
		ID: orig.ID, Name: "Platform 2", Description: "new", Kind: spots.KindGTM, Official: false,
		Visibility: spots.Restricted, Region: "apj", OwnerID: "mallory",
		CreatedAt: e.now(), UpdatedAt: e.now(), Policy: []byte(`{"expired":"hide"}`),
	}
	noErr(e.t, e.s.UpdateSpot(e.ctx, upd), "UpdateSpot")
	got, err := e.s.GetSpot(e.ctx, orig.ID)
	noErr(e.t, err, "GetSpot after UpdateSpot")
	want := upd
	// CreatedAt, Kind and OwnerID never change.
	want.CreatedAt, want.Kind, want.OwnerID = orig.CreatedAt, orig.Kind, orig.OwnerID
	checkSame(e.t, "UpdateSpot replaces every field but CreatedAt, Kind and OwnerID", got, want)

	// Clearing optional fields clears them.
	upd = want
	upd.Region, upd.Description, upd.Policy, upd.UpdatedAt = "", "", nil, time.Time{}
	noErr(e.t, e.s.UpdateSpot(e.ctx, upd), "UpdateSpot clearing optional fields")
	got, err = e.s.GetSpot(e.ctx, orig.ID)
	noErr(e.t, err, "GetSpot after clearing")
	checkSame(e.t, "UpdateSpot clearing Region, Description, Policy and UpdatedAt", got, upd)

	// A personal spot stays personal and keeps its owner.
	p := e.personalSpot("alice")
	noErr(e.t, e.s.CreateSpot(e.ctx, p), "CreateSpot personal")
	up := p
	up.Kind, up.OwnerID, up.Name = spots.KindTeam, "", "Renamed"
	noErr(e.t, e.s.UpdateSpot(e.ctx, up), "UpdateSpot on a personal spot")
	got, err = e.s.PersonalSpot(e.ctx, "alice")
	noErr(e.t, err, "PersonalSpot after UpdateSpot tried to change its kind and owner")
	if got.ID != p.ID || got.Kind != spots.KindPersonal || got.OwnerID != "alice" || got.Name != "Renamed" {
		e.t.Fatalf("UpdateSpot changed Kind or OwnerID of a personal spot (they never change): got %+v", got)
	}
}

func testPersonalSpot(e *env) {
	alice := e.personalSpot("alice")
	bob := e.personalSpot("bob")
	noErr(e.t, e.s.CreateSpot(e.ctx, alice), "CreateSpot alice")
	noErr(e.t, e.s.CreateSpot(e.ctx, bob), "CreateSpot bob")
	team := e.spot("Team")
	team.OwnerID = "" // non-personal spots have no OwnerID
	noErr(e.t, e.s.CreateSpot(e.ctx, team), "CreateSpot team")
	got, err := e.s.PersonalSpot(e.ctx, "alice")
	noErr(e.t, err, "PersonalSpot alice")
	checkSame(e.t, "PersonalSpot(alice)", got, alice)
	got, err = e.s.PersonalSpot(e.ctx, "bob")
	noErr(e.t, err, "PersonalSpot bob")
	checkSame(e.t, "PersonalSpot(bob)", got, bob)
	_, err = e.s.PersonalSpot(e.ctx, "carol")
	wantErr(e.t, err, spots.ErrNotFound, "PersonalSpot of a principal without one")
	_, err = e.s.PersonalSpot(e.ctx, "")
	wantErr(e.t, err, spots.ErrNotFound, "PersonalSpot(\"\") must not return a non-personal spot (their OwnerID is empty)")

	// After deleting it, the owner may get a new one.
	noErr(e.t, e.s.DeleteSpot(e.ctx, alice.ID), "DeleteSpot personal")
	_, err = e.s.PersonalSpot(e.ctx, "alice")
	wantErr(e.t, err, spots.ErrNotFound, "PersonalSpot after its spot was deleted")
	again := e.personalSpot("alice")
	noErr(e.t, e.s.CreateSpot(e.ctx, again), "CreateSpot of a new personal spot after the old one was deleted")
}

func testListSpots(e *env) {
	// Names chosen so byte order and case-insensitive order agree.
	b1 := e.spot("Beta")
	b2 := e.spot("Beta") // same name: ordered by ID
	a := e.spot("Alpha")
	a.Visibility = spots.Restricted
	c := e.spot("Gamma")
	c.Kind = spots.KindTeam
	p := e.personalSpot("alice")
	p.Name = "Delta"
	for _, s := range []spots.Spot{b2, c, p, a, b1} {
		noErr(e.t, e.s.CreateSpot(e.ctx, s), "CreateSpot "+s.Name)
	}
	all := []string{a.ID, b1.ID, b2.ID, p.ID, c.ID}
	if b2.ID < b1.ID {
		e.t.Fatal("storetest bug: IDs are not time-ordered")
	}
	cases := []struct {
		name string
		f    spots.SpotFilter
		want []string
	}{
		{"zero filter: every spot, by name then ID", spots.SpotFilter{}, all},
		{"IDs nil does not filter", spots.SpotFilter{IDs: nil}, all},
		{"IDs empty non-nil matches nothing", spots.SpotFilter{IDs: []string{}}, nil},
		{"IDs", spots.SpotFilter{IDs: []string{c.ID, a.ID, newID()}}, []string{a.ID, c.ID}},
		{"Visibility restricted", spots.SpotFilter{Visibility: spots.Restricted}, []string{a.ID, p.ID}},
		{"Visibility public", spots.SpotFilter{Visibility: spots.Public}, []string{b1.ID, b2.ID, c.ID}},
		{"Kind", spots.SpotFilter{Kind: spots.KindTeam}, []string{c.ID}},
		{"Kind personal", spots.SpotFilter{Kind: spots.KindPersonal}, []string{p.ID}},
		{"ExcludePersonal", spots.SpotFilter{ExcludePersonal: true}, []string{a.ID, b1.ID, b2.ID, c.ID}},
		{"Visibility and ExcludePersonal", spots.SpotFilter{Visibility: spots.Restricted, ExcludePersonal: true}, []string{a.ID}},
		{"IDs and Kind", spots.SpotFilter{IDs: []string{a.ID, c.ID}, Kind: spots.KindProduct}, []string{a.ID}},
	}
	for _, tc := range cases {
		got, err := e.s.ListSpots(e.ctx, tc.f)
		noErr(e.t, err, "ListSpots "+tc.name)
		checkIDs(e.t, "ListSpots("+tc.name+")", ids(got, spotID), tc.want)
	}
	got, err := e.s.ListSpots(e.ctx, spots.SpotFilter{IDs: []string{p.ID}})
	noErr(e.t, err, "ListSpots by ID")
	e.is.Equal(len(got), 1) // ListSpots(IDs: [one personal spot]) returns that spot
	checkSame(e.t, "ListSpots returns full spots", got[0], p)
}

func testSpotCopies(e *env) {
	s := e.spot("Platform")
	policy := string(s.Policy)
	noErr(e.t, e.s.CreateSpot(e.ctx, s), "CreateSpot")
	s.Policy[0] = 'X' // the caller keeps using its value
	check := func(after string) {
		e.t.Helper()
		got, err := e.s.GetSpot(e.ctx, s.ID)
		noErr(e.t, err, "GetSpot")
		if string(got.Policy) != policy {
			e.t.Fatalf("Policy changed to %q after %s: stores must copy byte slices in and out", got.Policy, after)
		}
	}
	check("the caller modified the Policy it passed to CreateSpot")

	got, err := e.s.GetSpot(e.ctx, s.ID)
	noErr(e.t, err, "GetSpot")
	got.Policy[0] = 'Y'
	check("the caller modified the Policy GetSpot returned")

	list, err := e.s.ListSpots(e.ctx, spots.SpotFilter{})
	noErr(e.t, err, "ListSpots")
	list[0].Policy[0] = 'Z'
	check("the caller modified the Policy ListSpots returned")

	upd := s
	upd.Policy = []byte(policy)
	noErr(e.t, e.s.UpdateSpot(e.ctx, upd), "UpdateSpot")
	upd.Policy[1] = 'W'
	check("the caller modified the Policy it passed to UpdateSpot")

	p := e.personalSpot("alice")
	noErr(e.t, e.s.CreateSpot(e.ctx, p), "CreateSpot personal")
	ps, err := e.s.PersonalSpot(e.ctx, "alice")
	noErr(e.t, err, "PersonalSpot")
	ps.Policy[0] = 'V'
	ps2, err := e.s.PersonalSpot(e.ctx, "alice")
	noErr(e.t, err, "PersonalSpot")
	if string(ps2.Policy) != string(p.Policy) {
		e.t.Fatalf("Policy changed to %q after the caller modified the Policy PersonalSpot returned", ps2.Policy)
	}
}

var grantTests = []subtest{
	{"RoundTrip", testGrantRoundTrip},
	{"NotFound", testGrantNotFound},
	{"Order", testGrantOrder},
	{"GrantsForSubjects", testGrantsForSubjects},
}

func testGrantRoundTrip(e *env) {
	s := e.createSpot("Platform")
	g := e.grant(s.ID, spots.User("alice"), spots.Editor)
	checkPopulated(e.t, g)
	noErr(e.t, e.s.PutGrant(e.ctx, g), "PutGrant")
	got, err := e.s.ListGrants(e.ctx, s.ID)
	noErr(e.t, err, "ListGrants")
	if len(got) != 1 {
		e.t.Fatalf("ListGrants after one PutGrant: got %d grants %+v, want 1", len(got), got)
	}
	checkSame(e.t, "ListGrants", got[0], g)

	// PutGrant on the same (spot, subject) replaces.
	g2 := e.grant(s.ID, spots.User("alice"), spots.Coowner)
	g2.GrantedBy = "carol"
	noErr(e.t, e.s.PutGrant(e.ctx, g2), "PutGrant replacing")
	got, err = e.s.ListGrants(e.ctx, s.ID)
	noErr(e.t, err, "ListGrants")
	if len(got) != 1 {
		e.t.Fatalf("PutGrant for the same spot and subject must replace the grant: ListGrants returned %d grants %+v", len(got), got)
	}
	checkSame(e.t, "ListGrants after replacing a grant", got[0], g2)

	// The same subject ID as a group is another subject.
	g3 := e.grant(s.ID, spots.Group("alice"), spots.Viewer)
	noErr(e.t, e.s.PutGrant(e.ctx, g3), "PutGrant group with a user's name")
	got, err = e.s.ListGrants(e.ctx, s.ID)
	noErr(e.t, err, "ListGrants")
	if len(got) != 2 {
		e.t.Fatalf("user:alice and group:alice are different subjects: ListGrants returned %d grants, want 2", len(got))
	}

	noErr(e.t, e.s.DeleteGrant(e.ctx, s.ID, spots.User("alice")), "DeleteGrant")
	got, err = e.s.ListGrants(e.ctx, s.ID)
	noErr(e.t, err, "ListGrants after DeleteGrant")
	if len(got) != 1 || got[0].Subject != spots.Group("alice") {
		e.t.Fatalf("DeleteGrant(user:alice) must remove only that grant: ListGrants returned %+v", got)
	}

	// Grants on another spot are separate.
	other := e.createSpot("Other")
	noErr(e.t, e.s.PutGrant(e.ctx, e.grant(other.ID, spots.User("alice"), spots.Owner)), "PutGrant other spot")
	got, err = e.s.ListGrants(e.ctx, s.ID)
	noErr(e.t, err, "ListGrants")
	e.is.Equal(len(got), 1) // ListGrants(spot) must not return the grants of another spot
}

func testGrantNotFound(e *env) {
	missing := newID()
	wantErr(e.t, e.s.PutGrant(e.ctx, e.grant(missing, spots.User("alice"), spots.Viewer)), spots.ErrNotFound,
		"PutGrant on a missing spot")
	s := e.createSpot("Platform")
	wantErr(e.t, e.s.DeleteGrant(e.ctx, s.ID, spots.User("alice")), spots.ErrNotFound,
		"DeleteGrant of a subject without a grant")
	wantErr(e.t, e.s.DeleteGrant(e.ctx, missing, spots.User("alice")), spots.ErrNotFound,
		"DeleteGrant on a missing spot")
	got, err := e.s.ListGrants(e.ctx, missing)
	if err != nil {
		wantErr(e.t, err, spots.ErrNotFound, "ListGrants on a missing spot (an empty list or ErrNotFound)")
	}
	if len(got) != 0 {
		e.t.Fatalf("ListGrants on a missing spot returned %+v", got)
	}
}

func testGrantOrder(e *env) {
	s := e.createSpot("Platform")
	put := []spots.Grant{
		e.grant(s.ID, spots.User("zed"), spots.Viewer),
		e.grant(s.ID, spots.Group("sales"), spots.Viewer),
		e.grant(s.ID, spots.User("amy"), spots.Viewer),
		e.grant(s.ID, spots.User("bob"), spots.Editor),
		e.grant(s.ID, spots.Group("admins"), spots.Editor),
		e.grant(s.ID, spots.User("carl"), spots.Coowner),
		e.grant(s.ID, spots.User("olga"), spots.Owner),
	}
	for _, g := range put {
		noErr(e.t, e.s.PutGrant(e.ctx, g), "PutGrant "+g.Subject.String())
	}
	got, err := e.s.ListGrants(e.ctx, s.ID)
	noErr(e.t, err, "ListGrants")
	want := []string{"user:olga", "user:carl", "group:admins", "user:bob", "group:sales", "user:amy", "user:zed"}
	checkIDs(e.t, "ListGrants order (strongest role first by Role.Rank, then subject as \"kind:id\")",
		ids(got, func(g spots.Grant) string { return g.Subject.String() }), want)
}

func testGrantsForSubjects(e *env) {
	var sp []spots.Spot
	for _, n := range []string{"One", "Two", "Three"} {
		sp = append(sp, e.createSpot(n))
	}
	slices.SortFunc(sp, func(a, b spots.Spot) int { return strings.Compare(a.ID, b.ID) })
	put := []spots.Grant{
		e.grant(sp[2].ID, spots.User("alice"), spots.Viewer),
		e.grant(sp[0].ID, spots.Group("sales"), spots.Editor),
		e.grant(sp[0].ID, spots.User("alice"), spots.Owner),
		e.grant(sp[1].ID, spots.User("bob"), spots.Owner),
		e.grant(sp[1].ID, spots.Group("emea"), spots.Viewer),
		e.grant(sp[2].ID, spots.Group("sales"), spots.Coowner),
	}
	for _, g := range put {
		noErr(e.t, e.s.PutGrant(e.ctx, g), "PutGrant")
	}
	key := func(g spots.Grant) string { return g.SpotID + " " + g.Subject.String() }
	got, err := e.s.GrantsForSubjects(e.ctx, []spots.Subject{spots.User("alice"), spots.Group("sales"), spots.User("nobody")})
	noErr(e.t, err, "GrantsForSubjects")
	want := []string{
		sp[0].ID + " group:sales", sp[0].ID + " user:alice",
		sp[2].ID + " group:sales", sp[2].ID + " user:alice",
	}
	checkIDs(e.t, "GrantsForSubjects(user:alice, group:sales), ordered by spot ID then subject", ids(got, key), want)
	for _, g := range got {
		i := slices.IndexFunc(put, func(p spots.Grant) bool { return key(p) == key(g) })
		checkSame(e.t, "GrantsForSubjects returns full grants", g, put[i])
	}

	// A group and a user with the same ID are different subjects.
	got, err = e.s.GrantsForSubjects(e.ctx, []spots.Subject{spots.Group("alice"), spots.User("sales")})
	noErr(e.t, err, "GrantsForSubjects")
	checkIDs(e.t, "GrantsForSubjects(group:alice, user:sales) must match on kind and ID", ids(got, key), nil)

	got, err = e.s.GrantsForSubjects(e.ctx, nil)
	noErr(e.t, err, "GrantsForSubjects(nil)")
	checkIDs(e.t, "GrantsForSubjects(nil) matches nothing", ids(got, key), nil)
}

var principalTests = []subtest{
	{"RoundTrip", testPrincipalRoundTrip},
	{"NotFound", testPrincipalNotFound},
	{"List", testListPrincipals},
	{"Copies", testPrincipalCopies},
}

func testPrincipalRoundTrip(e *env) {
	p := e.principal("alice")
	checkPopulated(e.t, p)
	noErr(e.t, e.s.PutPrincipal(e.ctx, p), "PutPrincipal")
	got, err := e.s.GetPrincipal(e.ctx, "alice")
	noErr(e.t, err, "GetPrincipal")
	want := p
	want.System = false
	checkSame(e.t, "GetPrincipal (System is never stored and comes back false)", got, want)

	// PutPrincipal replaces every field.
	p2 := spots.Principal{ID: "alice", Email: "a@example.org", Name: "Alice", CreatedAt: e.now()}
	noErr(e.t, e.s.PutPrincipal(e.ctx, p2), "PutPrincipal replacing")
	got, err = e.s.GetPrincipal(e.ctx, "alice")
	noErr(e.t, err, "GetPrincipal after replace")
	checkSame(e.t, "GetPrincipal after PutPrincipal replaced it (empty Groups, Roles, Trainings and zero UpdatedAt)", got, p2)
}

func testPrincipalNotFound(e *env) {
	_, err := e.s.GetPrincipal(e.ctx, "nobody")
	wantErr(e.t, err, spots.ErrNotFound, "GetPrincipal of a missing ID")
}

func testListPrincipals(e *env) {
	names := []string{"dave", "alice", "carol", "bob", "erin"}
	for _, n := range names {
		noErr(e.t, e.s.PutPrincipal(e.ctx, e.principal(n)), "PutPrincipal "+n)
	}
	pid := func(p spots.Principal) string { return p.ID }
	got, err := e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{})
	noErr(e.t, err, "ListPrincipals")
	checkIDs(e.t, "ListPrincipals (zero filter: all, by ID)", ids(got, pid), []string{"alice", "bob", "carol", "dave", "erin"})
	got, err = e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{Limit: 2})
	noErr(e.t, err, "ListPrincipals")
	checkIDs(e.t, "ListPrincipals(Limit 2)", ids(got, pid), []string{"alice", "bob"})
	got, err = e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{AfterID: "bob", Limit: 2})
	noErr(e.t, err, "ListPrincipals")
	checkIDs(e.t, "ListPrincipals(AfterID bob, Limit 2)", ids(got, pid), []string{"carol", "dave"})
	got, err = e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{AfterID: "bz"})
	noErr(e.t, err, "ListPrincipals")
	checkIDs(e.t, "ListPrincipals(AfterID bz, a cursor that is not a stored ID)", ids(got, pid), []string{"carol", "dave", "erin"})
	got, err = e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{AfterID: "erin"})
	noErr(e.t, err, "ListPrincipals")
	checkIDs(e.t, "ListPrincipals(AfterID erin)", ids(got, pid), nil)
	want := e.principal("alice")
	want.System = false
	got, err = e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{Limit: 1})
	noErr(e.t, err, "ListPrincipals")
	checkSame(e.t, "ListPrincipals returns full principals", got[0], want, "CreatedAt", "UpdatedAt", "Trainings")
}

func testPrincipalCopies(e *env) {
	p := e.principal("alice")
	want := p.Clone()
	want.System = false
	noErr(e.t, e.s.PutPrincipal(e.ctx, p), "PutPrincipal")
	p.Groups[0], p.Roles[0], p.Trainings[0].Name = "mutated", "mutated", "mutated"
	check := func(after string) {
		e.t.Helper()
		got, err := e.s.GetPrincipal(e.ctx, "alice")
		noErr(e.t, err, "GetPrincipal")
		if d := diff(got, want); len(d) > 0 {
			e.t.Fatalf("the stored principal changed after %s (stores must copy slices in and out):\n\t%s", after, strings.Join(d, "\n\t"))
		}
	}
	check("the caller modified the Groups, Roles and Trainings it passed to PutPrincipal")
	got, err := e.s.GetPrincipal(e.ctx, "alice")
	noErr(e.t, err, "GetPrincipal")
	got.Groups[0], got.Roles[0], got.Trainings[0].Name = "mutated", "mutated", "mutated"
	check("the caller modified the slices GetPrincipal returned")
	list, err := e.s.ListPrincipals(e.ctx, spots.PrincipalFilter{})
	noErr(e.t, err, "ListPrincipals")
	list[0].Groups[0], list[0].Roles[0], list[0].Trainings[0].Name = "mutated", "mutated", "mutated"
	check("the caller modified the slices ListPrincipals returned")
}
