package spots

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
)

// SavePrincipal creates or updates a principal (admins and the system
// principal only; single sign-on provisioning and `briefcase users add` use
// it). On update, CreatedAt is kept, and so are the stored trainings when
// p.Trainings is nil. Trainings without a completion time completed now.
func (s *Service) SavePrincipal(ctx context.Context, p Principal) (Principal, error) {
	actor, err := PrincipalFrom(ctx)
	if err != nil {
		return Principal{}, err
	}
	if !actor.IsAdmin() {
		return Principal{}, fmt.Errorf("%w: only admins manage users", ErrForbidden)
	}
	p = p.Clone()
	p.System = false
	p.ID = strings.TrimSpace(p.ID)
	p.Email = strings.TrimSpace(p.Email)
	p.Name = strings.TrimSpace(p.Name)
	var f errcode.Fields
	switch {
	case p.ID == "":
		f.Add("id", "required")
	case len(p.ID) > 200 || strings.ContainsAny(p.ID, " \t\r\n/"):
		f.Add("id", "must be at most 200 characters without spaces or slashes")
	case p.ID == systemPrincipal.ID:
		f.Add("id", "%q is reserved", p.ID)
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			f.Add("email", "must be a plain e-mail address")
		}
	}
	validateText(&f, "name", p.Name, maxNameLen, false)
	for _, g := range p.Groups {
		if strings.TrimSpace(g) == "" || strings.ContainsAny(g, ", \t\r\n") {
			f.Add("groups", "group names must be non-empty, without commas or spaces")
		}
	}
	for i, t := range p.Trainings {
		p.Trainings[i].Name = strings.TrimSpace(t.Name)
		if p.Trainings[i].Name == "" {
			f.Add("trainings", "training names must not be empty")
		}
		validateToken(&f, "trainings", p.Trainings[i].Name)
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			f.Add("roles", "must be admin or analyst")
		}
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Principal{}, err
	}
	slices.Sort(p.Groups)
	p.Groups = slices.Compact(p.Groups)
	slices.Sort(p.Roles)
	p.Roles = slices.Compact(p.Roles)

	now := s.Now()
	err = s.atomic(ctx, func(tx Stores) error {
		before, err := tx.GetPrincipal(ctx, p.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			p.CreatedAt = now
		case err != nil:
			return err
		default:
			p.CreatedAt = before.CreatedAt
			if p.Trainings == nil {
				p.Trainings = before.Trainings
			}
		}
		for i := range p.Trainings {
			if p.Trainings[i].CompletedAt.IsZero() {
				p.Trainings[i].CompletedAt = now
			}
		}
		p.UpdatedAt = now
		if err := tx.PutPrincipal(ctx, p); err != nil {
			return err
		}
		var beforeJSON []byte
		if !before.CreatedAt.IsZero() {
			beforeJSON = audit.JSON(before)
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: actor.ID, Action: "principal.save",
			TargetKind: "principal", TargetID: p.ID, Before: beforeJSON, After: audit.JSON(p)})
	})
	if err != nil {
		return Principal{}, fmt.Errorf("spots: save principal %s: %w", p.ID, err)
	}
	return p, nil
}

// GetPrincipal returns a stored principal: the caller itself, or anyone for
// an admin.
func (s *Service) GetPrincipal(ctx context.Context, id string) (Principal, error) {
	actor, err := PrincipalFrom(ctx)
	if err != nil {
		return Principal{}, err
	}
	if actor.ID != id && !actor.IsAdmin() {
		return Principal{}, fmt.Errorf("spots: principal %s: %w", id, ErrNotFound)
	}
	p, err := s.st.GetPrincipal(ctx, id)
	if err != nil {
		return Principal{}, fmt.Errorf("spots: principal %s: %w", id, err)
	}
	return p, nil
}

// ListPrincipals pages through principals (admins only).
func (s *Service) ListPrincipals(ctx context.Context, f PrincipalFilter) ([]Principal, error) {
	actor, err := PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !actor.IsAdmin() {
		return nil, fmt.Errorf("%w: only admins list users", ErrForbidden)
	}
	return s.st.ListPrincipals(ctx, f)
}

// RecordTraining marks a training completed for a principal (admins only).
// Recording it again keeps the first completion time.
func (s *Service) RecordTraining(ctx context.Context, userID, training string) (Principal, error) {
	return s.changeTraining(ctx, userID, training, true, "")
}

// RevokeTraining removes a completed training (admins only). Revoking
// content-contributor takes editor and stronger rights away at once: Evaluate
// caps the principal to viewer everywhere.
func (s *Service) RevokeTraining(ctx context.Context, userID, training string) (Principal, error) {
	return s.changeTraining(ctx, userID, training, false, "")
}

// RevokeTrainingBecause is RevokeTraining with the reason recorded in the
// audit entry (an admin revoking editor rights for non-compliance).
func (s *Service) RevokeTrainingBecause(ctx context.Context, userID, training, reason string) (Principal, error) {
	return s.changeTraining(ctx, userID, training, false, reason)
}

func (s *Service) changeTraining(ctx context.Context, userID, training string, done bool, reason string) (Principal, error) {
	actor, err := PrincipalFrom(ctx)
	if err != nil {
		return Principal{}, err
	}
	if !actor.IsAdmin() {
		return Principal{}, fmt.Errorf("%w: only admins record trainings", ErrForbidden)
	}
	training = strings.TrimSpace(training)
	var f errcode.Fields
	validateToken(&f, "training", training)
	if training == "" {
		f.Add("training", "required")
	}
	if err := f.Err(ErrInvalid); err != nil {
		return Principal{}, err
	}
	var after Principal
	err = s.atomic(ctx, func(tx Stores) error {
		before, err := tx.GetPrincipal(ctx, userID)
		if err != nil {
			return err
		}
		after = before.Clone()
		now := s.Now()
		has := before.HasTraining(training)
		switch {
		case done && !has:
			after.Trainings = append(after.Trainings, Training{Name: training, CompletedAt: now})
		case !done && has:
			after.Trainings = slices.DeleteFunc(after.Trainings, func(t Training) bool { return t.Name == training })
		default:
			return nil
		}
		after.UpdatedAt = now
		if err := tx.PutPrincipal(ctx, after); err != nil {
			return err
		}
		why := training
		if reason != "" {
			why = training + ": " + reason
		}
		action := "principal.training.record"
		if !done {
			action = "principal.training.revoke"
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: actor.ID, Action: action, TargetKind: "principal",
			TargetID: userID, Reason: why, Before: audit.JSON(before), After: audit.JSON(after)})
	})
	if err != nil {
		return Principal{}, fmt.Errorf("spots: training %s of %s: %w", training, userID, err)
	}
	return after, nil
}
