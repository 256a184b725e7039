package spots

import (
	"fmt"
	"strings"
)

// Action is something a principal may want to do with a spot.
type Action string

// Actions decided by Evaluate.
const (
	// View the spot and its content.
	ActionView Action = "view"
	// Edit the spot's settings and manage its content.
	ActionEdit Action = "edit"
	// Grant and revoke roles (editors: editor and viewer only).
	ActionManageMembers Action = "manage_members"
	// Delete the spot (owner and coowner only).
	ActionDelete Action = "delete"
	// Share the spot's external content with buyers.
	ActionShare Action = "share"
)

// Actions lists every action, in a stable order.
var Actions = []Action{ActionView, ActionEdit, ActionManageMembers, ActionDelete, ActionShare}

// minRole is the weakest spot role that allows each action.
var minRole = map[Action]Role{
	ActionView:          Viewer,
	ActionShare:         Viewer,
	ActionEdit:          Editor,
	ActionManageMembers: Editor,
	ActionDelete:        Coowner,
}

// Decision is the answer of Evaluate and the reasons behind it.
type Decision struct {
	Allowed bool   `json:"allowed"`
	Action  Action `json:"action"`
	// Role is the principal's effective role on the spot ("" for none).
	// Public visibility alone gives no role.
	Role Role `json:"role,omitempty"`
	// Override is true when the action is allowed only because the
	// principal is an admin. Callers record every override in the audit log.
	Override bool `json:"override,omitempty"`
	// Chain explains the decision, one step per line, in the order the
	// steps were considered.
	Chain []string `json:"chain"`
}

// String joins the chain into one line.
func (d Decision) String() string {
	verdict := "deny"
	if d.Allowed {
		verdict = "allow"
	}
	return fmt.Sprintf("%s %s: %s", verdict, d.Action, strings.Join(d.Chain, "; "))
}

// Evaluate decides whether p may perform action on spot, given the spot's
// grants. It is pure: everything it needs is in its arguments, and grants for
// other spots are ignored.
//
// The rules:
//   - A personal spot belongs to its owner alone, who may view, edit and
//     share in it; it has no members and cannot be deleted. Admins reach it
//     only through an override.
//   - A principal's role is the strongest of the grants to the user and to
//     its groups. Editor and stronger roles are capped to viewer while the
//     principal has not completed the content-contributor training.
//   - viewer may view and share; editor may also edit and manage members;
//     coowner and owner may also delete.
//   - Everyone may view and share in a public spot.
//   - An admin may do anything else, as an override.
//   - The system principal may do anything.
func Evaluate(p Principal, spot Spot, grants []Grant, action Action) Decision {
	d := Decision{Action: action}
	need, known := minRole[action]
	if !known {
		d.Chain = append(d.Chain, fmt.Sprintf("unknown action %q", action))
		return d
	}
	if p.ID == "" {
		d.Chain = append(d.Chain, "no principal")
		return d
	}
	if p.System {
		d.Allowed, d.Role = true, Owner
		d.Chain = append(d.Chain, "system principal")
		return d
	}

	if spot.Personal() {
		if spot.OwnerID == p.ID {
			switch action {
			case ActionView, ActionEdit, ActionShare:
				d.Allowed, d.Role = true, Owner
				d.Chain = append(d.Chain, "personal spot of "+p.ID)
			default:
				d.Chain = append(d.Chain, fmt.Sprintf("personal spots allow no %s", action))
			}
			return d
		}
		d.Chain = append(d.Chain, "personal spot of another principal")
		return adminOverride(p, action, d)
	}

	for _, g := range grants {
		if g.SpotID != spot.ID || !g.Role.Valid() {
			continue
		}
		var held bool
		switch g.Subject.Kind {
		case SubjectUser:
			held = g.Subject.ID == p.ID
		case SubjectGroup:
			held = p.InGroup(g.Subject.ID)
		}
		if !held {
			continue
		}
		role := g.Role
		step := fmt.Sprintf("%s holds %s", g.Subject, g.Role)
		if role.NeedsTraining() && !p.HasTraining(TrainingContentContributor) {
			role = Viewer
			step += " (capped to viewer: " + TrainingContentContributor + " training not completed)"
		}
		d.Chain = append(d.Chain, step)
		if role.Rank() > d.Role.Rank() {
			d.Role = role
		}
	}

	if d.Role.AtLeast(need) {
		d.Allowed = true
		return d
	}
	if spot.Visibility == Public && need == Viewer {
		d.Allowed = true
		d.Chain = append(d.Chain, "spot is public")
		return d
	}
	if d.Role == "" {
		if spot.Visibility == Public {
			d.Chain = append(d.Chain, "spot is public (view and share only)")
		} else {
			d.Chain = append(d.Chain, "spot is restricted and no grant applies")
		}
	} else {
		d.Chain = append(d.Chain, fmt.Sprintf("%s needs %s or stronger", action, need))
	}
	return adminOverride(p, action, d)
}

func adminOverride(p Principal, action Action, d Decision) Decision {
	if p.HasRole(Admin) {
		d.Allowed, d.Override = true, true
		d.Chain = append(d.Chain, "admin override")
		return d
	}
	return d
}

// CanGrant reports whether a principal whose decision on the spot is d may
// grant (or revoke) role. Editors may grant editor and viewer; coowners and
// owners may grant any role but owner, which moves only through ownership
// transfer by the owner (or an admin).
func CanGrant(d Decision, role Role) bool {
	if d.Action != ActionManageMembers || !d.Allowed {
		return false
	}
	if d.Override {
		return true
	}
	switch d.Role {
	case Owner:
		return true
	case Coowner:
		return role != Owner
	case Editor:
		return role == Editor || role == Viewer
	}
	return false
}
