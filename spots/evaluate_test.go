package spots_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase/spots"
	"github.com/matryer/is"
)

var trained = []spots.Training{{Name: spots.TrainingContentContributor}}

// TestEvaluateMatrix walks every role x grant route x training x visibility
// x action and compares Evaluate with the rules written out plainly.
func TestEvaluateMatrix(t *testing.T) {
	roles := []spots.Role{"", spots.Viewer, spots.Editor, spots.Coowner, spots.Owner}
	for _, vis := range []spots.Visibility{spots.Public, spots.Restricted} {
		for _, role := range roles {
			for _, via := range []spots.SubjectKind{spots.SubjectUser, spots.SubjectGroup} {
				for _, hasTraining := range []bool{true, false} {
					for _, admin := range []bool{false, true} {
						for _, action := range spots.Actions {
							name := fmt.Sprintf("%s/%s-via-%s/trained=%v/admin=%v/%s", vis, role, via, hasTraining, admin, action)
							t.Run(name, func(t *testing.T) {
								is := is.New(t)
								p := spots.Principal{ID: "pat", Groups: []string{"sales"}}
								if hasTraining {
									p.Trainings = trained
								}
								if admin {
									p.Roles = []spots.PlatformRole{spots.Admin}
								}
								spot := spots.Spot{ID: "s1", Kind: spots.KindProduct, Visibility: vis}
								var grants []spots.Grant
								if role != "" {
									subj := spots.User("pat")
									if via == spots.SubjectGroup {
										subj = spots.Group("sales")
									}
									grants = append(grants, spots.Grant{SpotID: "s1", Subject: subj, Role: role})
								}
								// Grants to others and on other spots never count.
								grants = append(grants,
									spots.Grant{SpotID: "s1", Subject: spots.User("someone-else"), Role: spots.Owner},
									spots.Grant{SpotID: "s1", Subject: spots.Group("marketing"), Role: spots.Owner},
									spots.Grant{SpotID: "other", Subject: spots.User("pat"), Role: spots.Owner})

								effective := role
								if role.NeedsTraining() && !hasTraining {
									effective = spots.Viewer
								}
								var byRole bool
								switch action {
								case spots.ActionView, spots.ActionShare:
									byRole = effective != "" || vis == spots.Public
								case spots.ActionEdit, spots.ActionManageMembers:
									byRole = effective == spots.Editor || effective == spots.Coowner || effective == spots.Owner
								case spots.ActionDelete:
									byRole = effective == spots.Coowner || effective == spots.Owner
								}

								d := spots.Evaluate(p, spot, grants, action)
								is.Equal(d.Allowed, byRole || admin)   // allowed
								is.Equal(d.Override, !byRole && admin) // override only when the role does not allow
								is.Equal(d.Role, effective)            // effective role
								is.Equal(d.Action, action)
								is.True(len(d.Chain) > 0) // a decision always explains itself
								if role != "" {
									is.True(strings.Contains(strings.Join(d.Chain, ";"), string(via)+":")) // chain names the grant
								}
								if role.NeedsTraining() && !hasTraining {
									is.True(strings.Contains(strings.Join(d.Chain, ";"), "capped to viewer")) // chain names the cap
								}
							})
						}
					}
				}
			}
		}
	}
}

func TestEvaluatePersonalSpot(t *testing.T) {
	spot := spots.Spot{ID: "p1", Kind: spots.KindPersonal, Visibility: spots.Restricted, OwnerID: "alice"}
	alice := spots.Principal{ID: "alice"}
	bob := spots.Principal{ID: "bob", Trainings: trained}
	admin := spots.Principal{ID: "root", Roles: []spots.PlatformRole{spots.Admin}}
	// Even a grant on a personal spot gives nothing to others.
	grants := []spots.Grant{{SpotID: "p1", Subject: spots.User("bob"), Role: spots.Owner}}
	for _, tc := range []struct {
		p        spots.Principal
		action   spots.Action
		allowed  bool
		override bool
	}{
		{alice, spots.ActionView, true, false},
		{alice, spots.ActionEdit, true, false},
		{alice, spots.ActionShare, true, false},
		{alice, spots.ActionManageMembers, false, false},
		{alice, spots.ActionDelete, false, false},
		{bob, spots.ActionView, false, false},
		{bob, spots.ActionEdit, false, false},
		{bob, spots.ActionShare, false, false},
		{admin, spots.ActionView, true, true},
		{admin, spots.ActionDelete, true, true},
		{spots.SystemPrincipal(), spots.ActionView, true, false},
		{spots.Principal{}, spots.ActionView, false, false},
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.p.ID, tc.action), func(t *testing.T) {
			is := is.New(t)
			d := spots.Evaluate(tc.p, spot, grants, tc.action)
			is.Equal(d.Allowed, tc.allowed)
			is.Equal(d.Override, tc.override)
		})
	}
}

func TestEvaluateStrongestGrantWins(t *testing.T) {
	is := is.New(t)
	p := spots.Principal{ID: "pat", Groups: []string{"sales", "se"}, Trainings: trained}
	spot := spots.Spot{ID: "s1", Visibility: spots.Restricted}
	grants := []spots.Grant{
		{SpotID: "s1", Subject: spots.Group("sales"), Role: spots.Viewer},
		{SpotID: "s1", Subject: spots.Group("se"), Role: spots.Coowner},
		{SpotID: "s1", Subject: spots.User("pat"), Role: spots.Editor},
	}
	d := spots.Evaluate(p, spot, grants, spots.ActionDelete)
	is.True(d.Allowed)
	is.Equal(d.Role, spots.Coowner)
	is.Equal(len(d.Chain), 3) // every applying grant is in the chain
	is.Equal(d.Chain[1], "group:se holds coowner")
}

func TestEvaluateUnknownAction(t *testing.T) {
	is := is.New(t)
	d := spots.Evaluate(spots.Principal{ID: "a", Roles: []spots.PlatformRole{spots.Admin}},
		spots.Spot{ID: "s", Visibility: spots.Public}, nil, "launch")
	is.True(!d.Allowed) // unknown actions are denied, even to admins
}

func TestCanGrant(t *testing.T) {
	roles := []spots.Role{spots.Owner, spots.Coowner, spots.Editor, spots.Viewer}
	want := map[spots.Role][]spots.Role{
		spots.Owner:   {spots.Owner, spots.Coowner, spots.Editor, spots.Viewer},
		spots.Coowner: {spots.Coowner, spots.Editor, spots.Viewer},
		spots.Editor:  {spots.Editor, spots.Viewer},
		spots.Viewer:  {},
	}
	for _, holder := range roles {
		for _, target := range roles {
			t.Run(fmt.Sprintf("%s-grants-%s", holder, target), func(t *testing.T) {
				is := is.New(t)
				d := spots.Decision{Allowed: holder != spots.Viewer, Action: spots.ActionManageMembers, Role: holder}
				expected := false
				for _, r := range want[holder] {
					expected = expected || r == target
				}
				is.Equal(spots.CanGrant(d, target), expected)
			})
		}
	}
	is := is.New(t)
	is.True(spots.CanGrant(spots.Decision{Allowed: true, Action: spots.ActionManageMembers, Override: true}, spots.Owner))
	is.True(!spots.CanGrant(spots.Decision{Allowed: true, Action: spots.ActionEdit, Role: spots.Owner}, spots.Viewer)) // wrong action
}

func TestParseSubject(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want spots.Subject
		ok   bool
	}{
		{"user:alice", spots.User("alice"), true},
		{"group:sales", spots.Group("sales"), true},
		{"alice", spots.User("alice"), true},
		{"team:x", spots.Subject{}, false},
		{"group:", spots.Subject{}, false},
		{"", spots.Subject{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			is := is.New(t)
			got, err := spots.ParseSubject(tc.in)
			is.Equal(err == nil, tc.ok)
			is.Equal(got, tc.want)
		})
	}
}
