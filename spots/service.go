package spots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/google/uuid"
)

// Options configure a Service. Zero fields take defaults.
type Options struct {
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// NewID makes IDs; uuid v7 by default.
	NewID  func() string
	Logger *slog.Logger
}

// Service holds every rule about spots, roles and principals.
// It is safe for concurrent use.
type Service struct {
	st     Stores
	atomic AtomicFunc
	now    func() time.Time
	newID  func() string
	log    *slog.Logger
}

// NewService returns a Service over st; atomic runs transactions on it.
func NewService(st Stores, atomic AtomicFunc, opt Options) *Service {
	s := &Service{st: st, atomic: atomic, now: opt.Now, newID: opt.NewID, log: opt.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = NewID
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// NewID returns a new time-ordered (v7) UUID string.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Now returns the service clock's time, in UTC, truncated to microseconds
// (the precision every store keeps).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Limits on user-supplied text.
const (
	maxNameLen        = 200
	maxDescriptionLen = 10000
)

// NewSpot is the input of Create.
type NewSpot struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Kind        Kind       `json:"kind"`
	Official    bool       `json:"official"`
	Visibility  Visibility `json:"visibility"`
	Region      string     `json:"region"`
	// OwnerID makes another principal the owner (admins only); by default
	// the creator owns the spot.
	OwnerID string `json:"owner_id"`
}

// Create makes a spot owned by the caller (or by in.OwnerID when an admin
// creates it for someone). Owning requires the content-contributor training;
// marking a spot official requires an admin. Personal spots are made by
// PersonalSpot, never here.
func (s *Service) Create(ctx context.Context, in NewSpot) (Spot, error) {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return Spot{}, err
	}
	var f errcode.Fields
	in.Name = strings.TrimSpace(in.Name)
	validateText(&f, "name", in.Name, maxNameLen, true)
	validateText(&f, "description", in.Description, maxDescriptionLen, false)
	if in.Kind == "" {
		in.Kind = KindTeam
	}
	if !in.Kind.Valid() {
		f.Add("kind", "must be one of product, team, gtm")
	} else if in.Kind == KindPersonal {
		f.Add("kind", "personal spots are created automatically")
	}
	if in.Visibility == "" {
		in.Visibility = Restricted
	}
	if !in.Visibility.Valid() {
		f.Add("visibility", "must be public or restricted")
	}
	in.Region = strings.ToLower(strings.TrimSpace(in.Region))
	validateToken(&f, "region", in.Region)
	if err := f.Err(ErrInvalid); err != nil {
		return Spot{}, err
	}
	override := false
	if in.Official && !p.IsAdmin() {
		return Spot{}, fmt.Errorf("%w: only admins may create official spots", ErrForbidden)
	}
	ownerID := p.ID
	if in.OwnerID != "" && in.OwnerID != p.ID {
		if !p.IsAdmin() {
			return Spot{}, fmt.Errorf("%w: only admins may create a spot for another owner", ErrForbidden)
		}
		ownerID, override = in.OwnerID, !p.System
	}

	now := s.Now()
	spot := Spot{
		ID: s.newID(), Name: in.Name, Description: in.Description, Kind: in.Kind,
		Official: in.Official, Visibility: in.Visibility, Region: in.Region,
		CreatedAt: now, UpdatedAt: now,
	}
	err = s.atomic(ctx, func(tx Stores) error {
		owner, err := s.principalForGrant(ctx, tx, ownerID, "owner_id")
		if err != nil {
			return err
		}
		if !owner.HasTraining(TrainingContentContributor) {
			return errcode.Invalidf(ErrPrecondition, "owner_id",
				"%s has not completed the %s training required to own a spot", owner.ID, TrainingContentContributor)
		}
		if err := tx.CreateSpot(ctx, spot); err != nil {
			return err
		}
		g := Grant{SpotID: spot.ID, Subject: User(ownerID), Role: Owner, GrantedBy: p.ID, GrantedAt: now}
		if err := tx.PutGrant(ctx, g); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{
			At: now, Actor: p.ID, Action: "spot.create", TargetKind: "spot", TargetID: spot.ID, SpotID: spot.ID,
			Override: override, After: audit.JSON(spot),
		})
	})
	if err != nil {
		return Spot{}, fmt.Errorf("spots: create: %w", err)
	}
	return spot, nil
}

// principalForGrant loads the principal a grant would go to; field names the
// input that referred to it.
func (s *Service) principalForGrant(ctx context.Context, st Store, id, field string) (Principal, error) {
	pr, err := st.GetPrincipal(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, errcode.Invalidf(ErrInvalid, field, "unknown user %q", id)
	}
	return pr, err
}

// Get returns a spot the caller may view.
func (s *Service) Get(ctx context.Context, id string) (Spot, error) {
	spot, _, err := s.Authorize(ctx, id, ActionView)
	return spot, err
}

// Authorize is Check for reads: an allowed admin override is recorded in
// the audit log at once.
func (s *Service) Authorize(ctx context.Context, spotID string, action Action) (Spot, Decision, error) {
	spot, d, err := s.Check(ctx, spotID, action)
	if err != nil {
		return Spot{}, d, err
	}
	if err := s.RecordOverride(ctx, spot.ID, d); err != nil {
		return Spot{}, d, err
	}
	return spot, d, nil
}

// Check loads the spot and decides action for the caller. It returns
// ErrNotFound when the caller may not even view the spot (so existence does
// not leak), ErrForbidden when it may view but not act. It records nothing:
// a write that acts on the answer records Decision.Override in its own audit
// entry, in its own transaction, so a refused write leaves no trace.
func (s *Service) Check(ctx context.Context, spotID string, action Action) (Spot, Decision, error) {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return Spot{}, Decision{}, err
	}
	spot, grants, err := s.load(ctx, spotID)
	if err != nil {
		return Spot{}, Decision{}, err
	}
	d := Evaluate(p, spot, grants, action)
	if !d.Allowed {
		if action != ActionView && Evaluate(p, spot, grants, ActionView).Allowed {
			return Spot{}, d, fmt.Errorf("spots: %s %s: %w: %s", action, spotID, ErrForbidden, strings.Join(d.Chain, "; "))
		}
		return Spot{}, d, fmt.Errorf("spots: get %s: %w", spotID, ErrNotFound)
	}
	return spot, d, nil
}

// Decide loads the spot and evaluates action for the caller without
// recording anything: callers that may not use the answer (such as "could
// this principal also edit?") ask here, then call RecordOverride when they
// act on an override. The error is only about loading (ErrNotFound for a
// missing spot).
func (s *Service) Decide(ctx context.Context, spotID string, action Action) (Spot, Decision, error) {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return Spot{}, Decision{}, err
	}
	spot, grants, err := s.load(ctx, spotID)
	if err != nil {
		return Spot{}, Decision{}, err
	}
	return spot, Evaluate(p, spot, grants, action), nil
}

// RecordOverride appends an audit entry when d was allowed only by an admin
// override; otherwise it does nothing.
func (s *Service) RecordOverride(ctx context.Context, spotID string, d Decision) error {
	if !d.Allowed || !d.Override {
		return nil
	}
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	if err := s.st.AppendAudit(ctx, s.overrideEntry(p, spotID, d)); err != nil {
		return fmt.Errorf("spots: audit override: %w", err)
	}
	return nil
}

func (s *Service) overrideEntry(p Principal, spotID string, d Decision) audit.Entry {
	return audit.Entry{
		At: s.Now(), Actor: p.ID, Action: "spot.override." + string(d.Action), TargetKind: "spot",
		TargetID: spotID, SpotID: spotID, Override: true, Reason: strings.Join(d.Chain, "; "),
	}
}

func (s *Service) load(ctx context.Context, spotID string) (Spot, []Grant, error) {
	if spotID == "" {
		return Spot{}, nil, errcode.Invalidf(ErrInvalid, "spot_id", "required")
	}
	spot, err := s.st.GetSpot(ctx, spotID)
	if err != nil {
		return Spot{}, nil, fmt.Errorf("spots: get %s: %w", spotID, err)
	}
	grants, err := s.st.ListGrants(ctx, spotID)
	if err != nil {
		return Spot{}, nil, fmt.Errorf("spots: grants of %s: %w", spotID, err)
	}
	return spot, grants, nil
}

// SpotPatch changes some fields of a spot; nil fields stay.
type SpotPatch struct {
	Name        *string     `json:"name"`
	Description *string     `json:"description"`
	Kind        *Kind       `json:"kind"`
	Official    *bool       `json:"official"`
	Visibility  *Visibility `json:"visibility"`
	Region      *string     `json:"region"`
}

// Update changes a spot's settings. It needs edit on the spot; changing the
// official flag needs an admin. Personal spots keep their kind and visibility.
// The patch is applied to the spot as read inside the write's transaction,
// so concurrent updates of other fields are not lost.
func (s *Service) Update(ctx context.Context, id string, patch SpotPatch) (Spot, error) {
	_, d, err := s.Check(ctx, id, ActionEdit)
	if err != nil {
		return Spot{}, err
	}
	p, _ := PrincipalFrom(ctx)
	var after Spot
	err = s.atomic(ctx, func(tx Stores) error {
		before, err := tx.GetSpot(ctx, id)
		if err != nil {
			return err
		}
		if after, err = applySpotPatch(p, before, patch); err != nil {
			return err
		}
		after.UpdatedAt = s.Now()
		if err := tx.UpdateSpot(ctx, after); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{
			At: after.UpdatedAt, Actor: p.ID, Action: "spot.update", TargetKind: "spot", TargetID: id, SpotID: id,
			Override: d.Override, Before: audit.JSON(before), After: audit.JSON(after),
		})
	})
	if err != nil {
		return Spot{}, fmt.Errorf("spots: update %s: %w", id, err)
	}
	return after, nil
}

// applySpotPatch validates patch against before and returns the result.
func applySpotPatch(p Principal, before Spot, patch SpotPatch) (Spot, error) {
	after := before.Clone()
	var f errcode.Fields
	if patch.Name != nil {
		after.Name = strings.TrimSpace(*patch.Name)
		validateText(&f, "name", after.Name, maxNameLen, true)
	}
	if patch.Description != nil {
		after.Description = *patch.Description
		validateText(&f, "description", after.Description, maxDescriptionLen, false)
	}
	if patch.Kind != nil && *patch.Kind != before.Kind {
		switch {
		case before.Personal() || *patch.Kind == KindPersonal:
			f.Add("kind", "personal spots cannot change kind")
		case !patch.Kind.Valid():
			f.Add("kind", "must be one of product, team, gtm")
		default:
			after.Kind = *patch.Kind
		}
	}
	if patch.Visibility != nil && *patch.Visibility != before.Visibility {
		switch {
		case before.Personal():
			f.Add("visibility", "personal spots are always private")
		case !patch.Visibility.Valid():
			f.Add("visibility", "must be public or restricted")
		default:
			after.Visibility = *patch.Visibility
		}
	}
	if patch.Region != nil {
		after.Region = strings.ToLower(strings.TrimSpace(*patch.Region))
		validateToken(&f, "region", after.Region)
	}
	if patch.Official != nil && *patch.Official != before.Official {
		if before.Personal() {
			f.Add("official", "personal spots cannot be official")
		}
		after.Official = *patch.Official
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Spot{}, err
	}
	if after.Official != before.Official && !p.IsAdmin() {
		return Spot{}, fmt.Errorf("%w: only admins may change the official flag", ErrForbidden)
	}
	return after, nil
}

// Delete deletes a spot and everything homed in it. Only owners, coowners
// (and admins, audited) may; personal spots cannot be deleted.
func (s *Service) Delete(ctx context.Context, id string) error {
	spot, d, err := s.Check(ctx, id, ActionDelete)
	if err != nil {
		return err
	}
	p, _ := PrincipalFrom(ctx)
	if spot.Personal() {
		return fmt.Errorf("%w: personal spots cannot be deleted", ErrPrecondition)
	}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.DeleteSpot(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{
			At: s.Now(), Actor: p.ID, Action: "spot.delete", TargetKind: "spot", TargetID: id, SpotID: id,
			Override: d.Override, Before: audit.JSON(spot),
		})
	})
	if err != nil {
		return fmt.Errorf("spots: delete %s: %w", id, err)
	}
	return nil
}

// VisibleSpot is a spot the caller may view, with the caller's role on it.
type VisibleSpot struct {
	Spot
	Role Role `json:"role,omitempty"`
}

// List returns every spot the caller may view without an admin override,
// ordered by name: public spots, spots granted to the caller or its groups,
// and its own personal spot (if made). Admins also see every other
// non-personal spot; other principals' personal spots never appear.
func (s *Service) List(ctx context.Context) ([]VisibleSpot, error) {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	// Only the grants p holds decide p's role in a spot, so one query for
	// them replaces reading every candidate spot's grants.
	held, err := s.st.GrantsForSubjects(ctx, p.Subjects())
	if err != nil {
		return nil, fmt.Errorf("spots: grants of %s: %w", p.ID, err)
	}
	heldBySpot := make(map[string][]Grant, len(held))
	for _, g := range held {
		heldBySpot[g.SpotID] = append(heldBySpot[g.SpotID], g)
	}
	var candidates []Spot
	if p.IsAdmin() {
		candidates, err = s.st.ListSpots(ctx, SpotFilter{ExcludePersonal: true})
		if err != nil {
			return nil, fmt.Errorf("spots: list: %w", err)
		}
	} else {
		public, err := s.st.ListSpots(ctx, SpotFilter{Visibility: Public, ExcludePersonal: true})
		if err != nil {
			return nil, fmt.Errorf("spots: list public: %w", err)
		}
		ids := make([]string, 0, len(heldBySpot))
		for id := range heldBySpot {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		granted, err := s.st.ListSpots(ctx, SpotFilter{IDs: ids, ExcludePersonal: true})
		if err != nil {
			return nil, fmt.Errorf("spots: list granted: %w", err)
		}
		candidates = append(public, granted...)
	}
	if ps, err := s.st.PersonalSpot(ctx, p.ID); err == nil {
		candidates = append(candidates, ps)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("spots: personal spot of %s: %w", p.ID, err)
	}

	out := make([]VisibleSpot, 0, len(candidates))
	seen := make(map[string]bool, len(candidates))
	for _, sp := range candidates {
		if seen[sp.ID] {
			continue
		}
		seen[sp.ID] = true
		d := Evaluate(p, sp, heldBySpot[sp.ID], ActionView)
		// An admin's override lists every non-personal spot (the platform
		// role at work); other principals' personal spots never appear.
		if !d.Allowed || d.Override && sp.Personal() {
			continue
		}
		out = append(out, VisibleSpot{Spot: sp, Role: d.Role})
	}
	slices.SortFunc(out, func(a, b VisibleSpot) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// VisibleSpotIDs returns the IDs of the spots List returns, sorted. It is
// the filter services push down to stores and the search index.
func (s *Service) VisibleSpotIDs(ctx context.Context) ([]string, error) {
	vs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	slices.Sort(ids)
	return ids, nil
}

// PersonalSpot returns the caller's personal spot, creating it on first use
// as "<First name> Spot".
func (s *Service) PersonalSpot(ctx context.Context) (Spot, error) {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return Spot{}, err
	}
	if p.System {
		return Spot{}, fmt.Errorf("%w: the system principal has no personal spot", ErrPrecondition)
	}
	spot, err := s.st.PersonalSpot(ctx, p.ID)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return spot, err
	}
	now := s.Now()
	spot = Spot{
		ID: s.newID(), Name: p.FirstName() + " Spot", Kind: KindPersonal, Visibility: Restricted,
		OwnerID: p.ID, CreatedAt: now, UpdatedAt: now,
	}
	err = s.atomic(ctx, func(tx Stores) error {
		if err := tx.CreateSpot(ctx, spot); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: p.ID, Action: "spot.create_personal",
			TargetKind: "spot", TargetID: spot.ID, SpotID: spot.ID, After: audit.JSON(spot)})
	})
	if errors.Is(err, ErrConflict) {
		// Another request made it first.
		return s.st.PersonalSpot(ctx, p.ID)
	}
	if err != nil {
		return Spot{}, fmt.Errorf("spots: create personal spot: %w", err)
	}
	return spot, nil
}

// Members returns the grants on a spot the caller may view.
func (s *Service) Members(ctx context.Context, spotID string) ([]Grant, error) {
	if _, _, err := s.Authorize(ctx, spotID, ActionView); err != nil {
		return nil, err
	}
	return s.st.ListGrants(ctx, spotID)
}

// Grant gives subject the role on a spot, replacing any role it had.
//
//   - The caller needs manage_members; editors may grant editor and viewer
//     only, coowners anything but owner.
//   - Granting owner transfers ownership: the previous owner becomes a
//     coowner, in the same transaction. The owner is always a user.
//   - Editor and stronger roles go to users who completed the
//     content-contributor training. Group grants are accepted; Evaluate caps
//     each member without the training to viewer.
//   - Personal spots have no members.
func (s *Service) Grant(ctx context.Context, spotID string, subject Subject, role Role) (Grant, error) {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return Grant{}, err
	}
	var f errcode.Fields
	if !role.Valid() {
		f.Add("role", "must be one of owner, coowner, editor, viewer")
	}
	if subject.Kind != SubjectUser && subject.Kind != SubjectGroup || strings.TrimSpace(subject.ID) == "" {
		f.Add("subject", "must be a user or a group")
	}
	if role == Owner && subject.Kind == SubjectGroup {
		f.Add("role", "the owner must be a user")
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Grant{}, err
	}
	spot, d, err := s.Check(ctx, spotID, ActionManageMembers)
	if err != nil {
		return Grant{}, err
	}
	if spot.Personal() {
		return Grant{}, fmt.Errorf("%w: personal spots have no members", ErrPrecondition)
	}
	if !CanGrant(d, role) {
		return Grant{}, fmt.Errorf("%w: role %s may not grant %s", ErrForbidden, d.Role, role)
	}
	now := s.Now()
	g := Grant{SpotID: spotID, Subject: subject, Role: role, GrantedBy: p.ID, GrantedAt: now}
	err = s.atomic(ctx, func(tx Stores) error {
		grants, err := tx.ListGrants(ctx, spotID)
		if err != nil {
			return err
		}
		var before *Grant
		var owner *Grant
		for i := range grants {
			if grants[i].Subject == subject {
				before = &grants[i]
			}
			if grants[i].Role == Owner {
				owner = &grants[i]
			}
		}
		if before != nil && before.Role == role {
			g = *before
			return nil
		}
		// Only the owner's own grant can move it, and only by transfer.
		if before != nil && before.Role == Owner {
			return fmt.Errorf("%w: the owner's role changes only by transferring ownership to someone else", ErrPrecondition)
		}
		// Whoever may not grant a role may not take it away either.
		if before != nil && !CanGrant(d, before.Role) {
			return fmt.Errorf("%w: role %s may not change a grant of %s", ErrForbidden, d.Role, before.Role)
		}
		if subject.Kind == SubjectUser {
			target, err := s.principalForGrant(ctx, tx, subject.ID, "subject")
			if err != nil {
				return err
			}
			if role.NeedsTraining() && !target.HasTraining(TrainingContentContributor) {
				return errcode.Invalidf(ErrPrecondition, "role",
					"%s has not completed the %s training required for %s", target.ID, TrainingContentContributor, role)
			}
		}
		if role == Owner && owner != nil {
			demoted := *owner
			demoted.Role, demoted.GrantedBy, demoted.GrantedAt = Coowner, p.ID, now
			if err := tx.PutGrant(ctx, demoted); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, audit.Entry{
				At: now, Actor: p.ID, Action: "spot.grant", TargetKind: "spot", TargetID: spotID, SpotID: spotID,
				Override: d.Override, Reason: "ownership transferred to " + subject.ID,
				Before: audit.JSON(owner), After: audit.JSON(demoted),
			}); err != nil {
				return err
			}
		}
		if err := tx.PutGrant(ctx, g); err != nil {
			return err
		}
		var beforeJSON []byte
		if before != nil {
			beforeJSON = audit.JSON(before)
		}
		return tx.AppendAudit(ctx, audit.Entry{
			At: now, Actor: p.ID, Action: "spot.grant", TargetKind: "spot", TargetID: spotID, SpotID: spotID,
			Override: d.Override, Before: beforeJSON, After: audit.JSON(g),
		})
	})
	if err != nil {
		return Grant{}, fmt.Errorf("spots: grant %s on %s: %w", subject, spotID, err)
	}
	return g, nil
}

// Revoke removes subject's grant from a spot. The owner cannot be removed
// (transfer ownership first); whoever may not grant a role may not revoke it.
func (s *Service) Revoke(ctx context.Context, spotID string, subject Subject) error {
	p, err := PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	_, d, err := s.Check(ctx, spotID, ActionManageMembers)
	if err != nil {
		return err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		grants, err := tx.ListGrants(ctx, spotID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(grants, func(g Grant) bool { return g.Subject == subject })
		if i < 0 {
			return fmt.Errorf("grant of %s: %w", subject, ErrNotFound)
		}
		before := grants[i]
		if before.Role == Owner {
			return fmt.Errorf("%w: the owner cannot be removed; transfer ownership first", ErrPrecondition)
		}
		if !CanGrant(d, before.Role) {
			return fmt.Errorf("%w: role %s may not revoke a grant of %s", ErrForbidden, d.Role, before.Role)
		}
		if err := tx.DeleteGrant(ctx, spotID, subject); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.Entry{
			At: s.Now(), Actor: p.ID, Action: "spot.revoke", TargetKind: "spot", TargetID: spotID, SpotID: spotID,
			Override: d.Override, Before: audit.JSON(before),
		})
	})
	if err != nil {
		return fmt.Errorf("spots: revoke %s on %s: %w", subject, spotID, err)
	}
	return nil
}

func validateText(f *errcode.Fields, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.Add(field, "required")
	case !utf8.ValidString(v):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "must be at most %d characters", max)
	}
}

func validateToken(f *errcode.Fields, field, v string) {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			f.Add(field, "must contain only a-z, 0-9, - and _")
			return
		}
	}
	if len(v) > 64 {
		f.Add(field, "must be at most 64 characters")
	}
}
