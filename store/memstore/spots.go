package memstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

func normSpot(s spots.Spot) spots.Spot {
	s = s.Clone()
	s.CreatedAt, s.UpdatedAt = utc(s.CreatedAt), utc(s.UpdatedAt)
	return s
}

// CreateSpot stores a new spot.
func (s *Store) CreateSpot(ctx context.Context, sp spots.Spot) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.spots[sp.ID]; ok {
			return fmt.Errorf("memstore: create spot %s: %w", sp.ID, spots.ErrConflict)
		}
		if sp.Personal() {
			if _, err := st.personalSpot(sp.OwnerID); err == nil {
				return fmt.Errorf("memstore: create spot %s: %s already has a personal spot: %w", sp.ID, sp.OwnerID, spots.ErrConflict)
			}
		}
		st.spots[sp.ID] = normSpot(sp)
		st.record(store.EntitySpot, sp.ID, store.OpUpsert)
		return nil
	})
}

// GetSpot returns one spot.
func (s *Store) GetSpot(ctx context.Context, id string) (spots.Spot, error) {
	return query(ctx, s, func(st *state) (spots.Spot, error) {
		sp, ok := st.spots[id]
		if !ok {
			return spots.Spot{}, fmt.Errorf("memstore: get spot %s: %w", id, spots.ErrNotFound)
		}
		return sp.Clone(), nil
	})
}

// PersonalSpot returns the personal spot of ownerID.
func (s *Store) PersonalSpot(ctx context.Context, ownerID string) (spots.Spot, error) {
	return query(ctx, s, func(st *state) (spots.Spot, error) { return st.personalSpot(ownerID) })
}

func (st *state) personalSpot(ownerID string) (spots.Spot, error) {
	for _, sp := range st.spots {
		if sp.Personal() && sp.OwnerID == ownerID {
			return sp.Clone(), nil
		}
	}
	return spots.Spot{}, fmt.Errorf("memstore: personal spot of %q: %w", ownerID, spots.ErrNotFound)
}

// UpdateSpot replaces a spot, keeping CreatedAt, Kind and OwnerID.
func (s *Store) UpdateSpot(ctx context.Context, sp spots.Spot) error {
	return s.write(ctx, func(st *state) error {
		old, ok := st.spots[sp.ID]
		if !ok {
			return fmt.Errorf("memstore: update spot %s: %w", sp.ID, spots.ErrNotFound)
		}
		sp = normSpot(sp)
		sp.CreatedAt, sp.Kind, sp.OwnerID = old.CreatedAt, old.Kind, old.OwnerID
		st.spots[sp.ID] = sp
		st.record(store.EntitySpot, sp.ID, store.OpUpsert)
		return nil
	})
}

// DeleteSpot deletes a spot with its grants, the placements into it, and
// the items homed in it.
func (s *Store) DeleteSpot(ctx context.Context, id string) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.spots[id]; !ok {
			return fmt.Errorf("memstore: delete spot %s: %w", id, spots.ErrNotFound)
		}
		for k := range st.grants {
			if k.spotID == id {
				delete(st.grants, k)
			}
		}
		for _, it := range st.items {
			if it.SpotID == id {
				st.deleteItem(it.ID)
			}
		}
		for k := range st.placements {
			if k.spotID == id {
				delete(st.placements, k)
				st.record(store.EntityItem, k.itemID, store.OpUpsert)
			}
		}
		delete(st.spots, id)
		st.record(store.EntitySpot, id, store.OpDelete)
		return nil
	})
}

// ListSpots returns the spots matching f, by name then ID.
func (s *Store) ListSpots(ctx context.Context, f spots.SpotFilter) ([]spots.Spot, error) {
	return query(ctx, s, func(st *state) ([]spots.Spot, error) {
		var out []spots.Spot
		for _, sp := range st.spots {
			switch {
			case f.IDs != nil && !slices.Contains(f.IDs, sp.ID),
				f.Visibility != "" && sp.Visibility != f.Visibility,
				f.Kind != "" && sp.Kind != f.Kind,
				f.ExcludePersonal && sp.Personal():
				continue
			}
			out = append(out, sp.Clone())
		}
		slices.SortFunc(out, func(a, b spots.Spot) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	})
}

// PutGrant creates or replaces the grant of g.Subject on g.SpotID.
func (s *Store) PutGrant(ctx context.Context, g spots.Grant) error {
	return s.write(ctx, func(st *state) error {
		if _, ok := st.spots[g.SpotID]; !ok {
			return fmt.Errorf("memstore: put grant on spot %s: %w", g.SpotID, spots.ErrNotFound)
		}
		g.GrantedAt = utc(g.GrantedAt)
		st.grants[grantKey{g.SpotID, g.Subject}] = g
		return nil
	})
}

// DeleteGrant removes the grant of subject on spotID.
func (s *Store) DeleteGrant(ctx context.Context, spotID string, subject spots.Subject) error {
	return s.write(ctx, func(st *state) error {
		k := grantKey{spotID, subject}
		if _, ok := st.grants[k]; !ok {
			return fmt.Errorf("memstore: delete grant of %s on %s: %w", subject, spotID, spots.ErrNotFound)
		}
		delete(st.grants, k)
		return nil
	})
}

// ListGrants returns the grants on a spot, strongest role first, then by
// subject.
func (s *Store) ListGrants(ctx context.Context, spotID string) ([]spots.Grant, error) {
	return query(ctx, s, func(st *state) ([]spots.Grant, error) {
		var out []spots.Grant
		for k, g := range st.grants {
			if k.spotID == spotID {
				out = append(out, g)
			}
		}
		slices.SortFunc(out, func(a, b spots.Grant) int {
			return cmp.Or(cmp.Compare(b.Role.Rank(), a.Role.Rank()), strings.Compare(a.Subject.String(), b.Subject.String()))
		})
		return out, nil
	})
}

// GrantsForSubjects returns the grants of any of subjects, by spot ID then
// subject.
func (s *Store) GrantsForSubjects(ctx context.Context, subjects []spots.Subject) ([]spots.Grant, error) {
	return query(ctx, s, func(st *state) ([]spots.Grant, error) {
		var out []spots.Grant
		for k, g := range st.grants {
			if slices.Contains(subjects, k.subject) {
				out = append(out, g)
			}
		}
		slices.SortFunc(out, func(a, b spots.Grant) int {
			return cmp.Or(strings.Compare(a.SpotID, b.SpotID), strings.Compare(a.Subject.String(), b.Subject.String()))
		})
		return out, nil
	})
}

// PutPrincipal creates or replaces a principal; System is not stored.
func (s *Store) PutPrincipal(ctx context.Context, p spots.Principal) error {
	return s.write(ctx, func(st *state) error {
		p = p.Clone()
		p.System = false
		p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
		for i := range p.Trainings {
			p.Trainings[i].CompletedAt = utc(p.Trainings[i].CompletedAt)
		}
		st.principals[p.ID] = p
		return nil
	})
}

// GetPrincipal returns one principal.
func (s *Store) GetPrincipal(ctx context.Context, id string) (spots.Principal, error) {
	return query(ctx, s, func(st *state) (spots.Principal, error) {
		p, ok := st.principals[id]
		if !ok {
			return spots.Principal{}, fmt.Errorf("memstore: get principal %s: %w", id, spots.ErrNotFound)
		}
		return p.Clone(), nil
	})
}

// ListPrincipals pages through principals by ID.
func (s *Store) ListPrincipals(ctx context.Context, f spots.PrincipalFilter) ([]spots.Principal, error) {
	return query(ctx, s, func(st *state) ([]spots.Principal, error) {
		var out []spots.Principal
		for _, id := range slices.Sorted(maps.Keys(st.principals)) {
			if id <= f.AfterID {
				continue
			}
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
			out = append(out, st.principals[id].Clone())
		}
		return out, nil
	})
}
