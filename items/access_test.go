package items_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/matryer/is"
)

// TestEvaluateMatrix crosses every spot role and visibility with every
// audience, status and action, through spots.Evaluate then items.Evaluate,
// and checks the combined answer against the rules written out plainly.
func TestEvaluateMatrix(t *testing.T) {
	roles := []spots.Role{"", spots.Viewer, spots.Editor, spots.Coowner, spots.Owner}
	for _, vis := range []spots.Visibility{spots.Public, spots.Restricted} {
		for _, role := range roles {
			for _, admin := range []bool{false, true} {
				for _, aud := range []items.Audience{items.Internal, items.External} {
					for _, st := range items.Statuses {
						for _, action := range spots.Actions {
							t.Run(fmt.Sprintf("%s/%s/admin=%v/%s/%s/%s", vis, role, admin, aud, st, action), func(t *testing.T) {
								is := is.New(t)
								p := spots.Principal{ID: "pat", Trainings: []spots.Training{{Name: spots.TrainingContentContributor}}}
								if admin {
									p.Roles = []spots.PlatformRole{spots.Admin}
								}
								spot := spots.Spot{ID: "s", Kind: spots.KindProduct, Visibility: vis}
								var grants []spots.Grant
								if role != "" {
									grants = []spots.Grant{{SpotID: "s", Subject: spots.User("pat"), Role: role}}
								}
								it := items.Item{ID: "i", SpotID: "s", Audience: aud, Status: st}
								d := items.Evaluate(p, it, spots.Evaluate(p, spot, grants, action))

								spotAllows := map[spots.Action]bool{
									spots.ActionView:          role != "" || vis == spots.Public,
									spots.ActionShare:         role != "" || vis == spots.Public,
									spots.ActionEdit:          role.AtLeast(spots.Editor),
									spots.ActionManageMembers: role.AtLeast(spots.Editor),
									spots.ActionDelete:        role.AtLeast(spots.Coowner),
								}[action] || admin
								want := spotAllows
								switch action {
								case spots.ActionShare:
									want = want && aud == items.External &&
										(st == items.StatusPublished || st == items.StatusExpiring)
								case spots.ActionView:
									if !slices.Contains(items.ViewerStatuses, st) {
										want = want && (role.AtLeast(spots.Editor) || admin)
									}
								}
								is.Equal(d.Allowed, want)
								if aud == items.Internal && action == spots.ActionShare && spotAllows {
									is.True(slices.Contains(d.Chain, "internal content is never shared")) // the chain says why
								}
							})
						}
					}
				}
			}
		}
	}
}

func TestEvaluateKeepsDenials(t *testing.T) {
	is := is.New(t)
	d := spots.Decision{Action: spots.ActionView, Chain: []string{"spot is restricted and no grant applies"}}
	got := items.Evaluate(spots.Principal{ID: "x"}, items.Item{Audience: items.External, Status: items.StatusPublished}, d)
	is.True(!got.Allowed)
	is.Equal(got.Chain, d.Chain)
}
