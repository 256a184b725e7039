package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

type spotRow struct {
	PK          int64         `db:"pk"`
	ID          string        `db:"id"`
	Name        string        `db:"name"`
	Description string        `db:"description"`
	Kind        string        `db:"kind"`
	Official    bool          `db:"official"`
	Visibility  string        `db:"visibility"`
	Region      string        `db:"region"`
	OwnerID     string        `db:"owner_id"`
	CreatedAt   sql.NullInt64 `db:"created_at"`
	UpdatedAt   sql.NullInt64 `db:"updated_at"`
	Policy      []byte        `db:"policy"`
}

const spotColumns = `pk, id, name, description, kind, official, visibility, region, owner_id, created_at, updated_at, policy`

func (r spotRow) spot() spots.Spot {
	return spots.Spot{
		ID: r.ID, Name: r.Name, Description: r.Description, Kind: spots.Kind(r.Kind), Official: r.Official,
		Visibility: spots.Visibility(r.Visibility), Region: r.Region, OwnerID: r.OwnerID,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt), Policy: r.Policy,
	}
}

// CreateSpot stores a new spot; ErrConflict on a duplicate ID or a second
// personal spot for the same owner.
func (e *engine) CreateSpot(ctx context.Context, s spots.Spot) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO briefcase_spots
			(id, name, description, kind, official, visibility, region, owner_id, created_at, updated_at, policy)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.Name, s.Description, s.Kind, boolInt(s.Official), s.Visibility, s.Region, s.OwnerID,
			micros(s.CreatedAt), micros(s.UpdatedAt), s.Policy)
		if isUnique(err) {
			return spots.ErrConflict
		}
		if err != nil {
			return err
		}
		return appendChange(ctx, tx, store.EntitySpot, s.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: create spot %s: %w", s.ID, err)
	}
	return nil
}

// GetSpot returns one spot.
func (e *engine) GetSpot(ctx context.Context, id string) (spots.Spot, error) {
	var r spotRow
	err := sqlx.GetContext(ctx, e.read(), &r, `SELECT `+spotColumns+` FROM briefcase_spots WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = spots.ErrNotFound
	}
	if err != nil {
		return spots.Spot{}, fmt.Errorf("sqlitestore: get spot %s: %w", id, err)
	}
	return r.spot(), nil
}

// PersonalSpot returns the personal spot of ownerID.
func (e *engine) PersonalSpot(ctx context.Context, ownerID string) (spots.Spot, error) {
	var r spotRow
	err := sqlx.GetContext(ctx, e.read(), &r,
		`SELECT `+spotColumns+` FROM briefcase_spots WHERE kind = 'personal' AND owner_id = ?`, ownerID)
	if errors.Is(err, sql.ErrNoRows) {
		err = spots.ErrNotFound
	}
	if err != nil {
		return spots.Spot{}, fmt.Errorf("sqlitestore: personal spot of %s: %w", ownerID, err)
	}
	return r.spot(), nil
}

// UpdateSpot replaces the spot's fields except CreatedAt, Kind and OwnerID.
func (e *engine) UpdateSpot(ctx context.Context, s spots.Spot) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE briefcase_spots SET name = ?, description = ?, official = ?,
			visibility = ?, region = ?, updated_at = ?, policy = ? WHERE id = ?`,
			s.Name, s.Description, boolInt(s.Official), s.Visibility, s.Region, micros(s.UpdatedAt), s.Policy, s.ID)
		if err != nil {
			return err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return cmp(err, spots.ErrNotFound)
		}
		return appendChange(ctx, tx, store.EntitySpot, s.ID, store.OpUpsert)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update spot %s: %w", s.ID, err)
	}
	return nil
}

// cmp returns err when it is set, otherwise the sentinel.
func cmp(err, sentinel error) error {
	if err != nil {
		return err
	}
	return sentinel
}

// DeleteSpot deletes a spot; foreign keys cascade to its grants, its
// placements and the items it is home to (and theirs). The change feed gets
// a delete for each of those items, an upsert for each item that was only
// placed here, and the spot's own delete.
func (e *engine) DeleteSpot(ctx context.Context, id string) error {
	err := e.write(ctx, func(tx *sqlx.Tx) error {
		var pk int64
		err := tx.GetContext(ctx, &pk, `SELECT pk FROM briefcase_spots WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return spots.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := appendChanges(ctx, tx, store.EntityItem, store.OpDelete,
			`SELECT id FROM briefcase_items WHERE spot_pk = ? ORDER BY id`, pk); err != nil {
			return err
		}
		if err := appendChanges(ctx, tx, store.EntityItem, store.OpUpsert,
			`SELECT i.id FROM briefcase_placements p JOIN briefcase_items i ON i.pk = p.item_pk
			WHERE p.spot_pk = ? AND i.spot_pk <> p.spot_pk ORDER BY i.id`, pk); err != nil {
			return err
		}
		if err := appendChange(ctx, tx, store.EntitySpot, id, store.OpDelete); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM briefcase_spots WHERE pk = ?`, pk)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: delete spot %s: %w", id, err)
	}
	return nil
}

// ListSpots returns the spots matching f, ordered by name then ID.
func (e *engine) ListSpots(ctx context.Context, f spots.SpotFilter) ([]spots.Spot, error) {
	var where []string
	var args []any
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return []spots.Spot{}, nil
		}
		where = append(where, `id IN (SELECT value FROM json_each(?))`)
		args = append(args, jsonText(f.IDs))
	}
	if f.Visibility != "" {
		where = append(where, `visibility = ?`)
		args = append(args, f.Visibility)
	}
	if f.Kind != "" {
		where = append(where, `kind = ?`)
		args = append(args, f.Kind)
	}
	if f.ExcludePersonal {
		where = append(where, `kind <> 'personal'`)
	}
	q := `SELECT ` + spotColumns + ` FROM briefcase_spots` + whereClause(where) + ` ORDER BY name, id`
	var rows []spotRow
	if err := sqlx.SelectContext(ctx, e.read(), &rows, q, args...); err != nil {
		return nil, fmt.Errorf("sqlitestore: list spots: %w", err)
	}
	out := make([]spots.Spot, len(rows))
	for i, r := range rows {
		out[i] = r.spot()
	}
	return out, nil
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

type grantRow struct {
	SpotID      string        `db:"spot_id"`
	SubjectKind string        `db:"subject_kind"`
	SubjectID   string        `db:"subject_id"`
	Role        string        `db:"role"`
	GrantedBy   string        `db:"granted_by"`
	GrantedAt   sql.NullInt64 `db:"granted_at"`
}

func (r grantRow) grant() spots.Grant {
	return spots.Grant{
		SpotID: r.SpotID, Subject: spots.Subject{Kind: spots.SubjectKind(r.SubjectKind), ID: r.SubjectID},
		Role: spots.Role(r.Role), GrantedBy: r.GrantedBy, GrantedAt: fromMicros(r.GrantedAt),
	}
}

const grantColumns = `s.id AS spot_id, g.subject_kind, g.subject_id, g.role, g.granted_by, g.granted_at`

// PutGrant creates or replaces the grant for (g.SpotID, g.Subject).
// Grants are not content: they are not in the change feed.
func (e *engine) PutGrant(ctx context.Context, g spots.Grant) error {
	res, err := e.exec(ctx, `INSERT INTO briefcase_grants
		(spot_pk, subject_kind, subject_id, role, granted_by, granted_at)
		SELECT pk, ?, ?, ?, ?, ? FROM briefcase_spots WHERE id = ?
		ON CONFLICT (spot_pk, subject_kind, subject_id) DO UPDATE SET
			role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
		g.Subject.Kind, g.Subject.ID, g.Role, g.GrantedBy, micros(g.GrantedAt), g.SpotID)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = spots.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: put grant of %s on %s: %w", g.Subject, g.SpotID, err)
	}
	return nil
}

// DeleteGrant removes the grant of subject on spotID; ErrNotFound when there
// is none.
func (e *engine) DeleteGrant(ctx context.Context, spotID string, subject spots.Subject) error {
	res, err := e.exec(ctx, `DELETE FROM briefcase_grants
		WHERE spot_pk = (SELECT pk FROM briefcase_spots WHERE id = ?) AND subject_kind = ? AND subject_id = ?`,
		spotID, subject.Kind, subject.ID)
	if err == nil {
		var n int64
		if n, err = affected(res); err == nil && n == 0 {
			err = spots.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: delete grant of %s on %s: %w", subject, spotID, err)
	}
	return nil
}

// roleRank orders roles strongest first in SQL, like spots.Role.Rank.
const roleRank = `CASE g.role WHEN 'owner' THEN 4 WHEN 'coowner' THEN 3 WHEN 'editor' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END`

// ListGrants returns the grants on one spot, strongest role first, then by
// subject (kind, then ID: the order of Subject.String). A missing spot has
// none.
func (e *engine) ListGrants(ctx context.Context, spotID string) ([]spots.Grant, error) {
	var rows []grantRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT `+grantColumns+`
		FROM briefcase_spots s JOIN briefcase_grants g ON g.spot_pk = s.pk
		WHERE s.id = ? ORDER BY `+roleRank+` DESC, g.subject_kind, g.subject_id`, spotID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: grants on %s: %w", spotID, err)
	}
	return grants(rows), nil
}

func grants(rows []grantRow) []spots.Grant {
	out := make([]spots.Grant, len(rows))
	for i, r := range rows {
		out[i] = r.grant()
	}
	return out
}

// GrantsForSubjects returns every grant held by any of the subjects, ordered
// by spot ID then subject.
func (e *engine) GrantsForSubjects(ctx context.Context, subjects []spots.Subject) ([]spots.Grant, error) {
	subjects = slices.Clone(subjects)
	slices.SortFunc(subjects, func(a, b spots.Subject) int { return strings.Compare(a.String(), b.String()) })
	subjects = slices.Compact(subjects)
	if len(subjects) == 0 {
		return []spots.Grant{}, nil
	}
	var rows []grantRow
	// CROSS JOIN keeps the subjects as the outer loop, so each one is an
	// index lookup on briefcase_grants_subject.
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT `+grantColumns+`
		FROM json_each(?) j
		CROSS JOIN briefcase_grants g ON g.subject_kind = j.value ->> 'kind' AND g.subject_id = j.value ->> 'id'
		JOIN briefcase_spots s ON s.pk = g.spot_pk
		ORDER BY s.id, g.subject_kind, g.subject_id`, jsonText(subjects))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: grants for subjects: %w", err)
	}
	return grants(rows), nil
}

type principalRow struct {
	ID        string        `db:"id"`
	Email     string        `db:"email"`
	Name      string        `db:"name"`
	Groups    string        `db:"group_names"`
	Roles     string        `db:"roles"`
	Trainings string        `db:"trainings"`
	CreatedAt sql.NullInt64 `db:"created_at"`
	UpdatedAt sql.NullInt64 `db:"updated_at"`
}

const principalColumns = `id, email, name, group_names, roles, trainings, created_at, updated_at`

func (r principalRow) principal() (spots.Principal, error) {
	p := spots.Principal{ID: r.ID, Email: r.Email, Name: r.Name,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
	if err := fromJSON("groups", r.Groups, &p.Groups); err != nil {
		return p, err
	}
	if err := fromJSON("roles", r.Roles, &p.Roles); err != nil {
		return p, err
	}
	if err := fromJSON("trainings", r.Trainings, &p.Trainings); err != nil {
		return p, err
	}
	for i := range p.Trainings {
		p.Trainings[i].CompletedAt = p.Trainings[i].CompletedAt.UTC()
	}
	return p, nil
}

// PutPrincipal creates or replaces a principal.
func (e *engine) PutPrincipal(ctx context.Context, p spots.Principal) error {
	trainings := p.Trainings
	if trainings != nil {
		trainings = slices.Clone(trainings)
		for i := range trainings {
			trainings[i].CompletedAt = trainings[i].CompletedAt.UTC()
		}
	}
	_, err := e.exec(ctx, `INSERT INTO briefcase_principals (`+principalColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name,
			group_names = excluded.group_names, roles = excluded.roles, trainings = excluded.trainings,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		p.ID, p.Email, p.Name, jsonText(p.Groups), jsonText(p.Roles), jsonText(trainings),
		micros(p.CreatedAt), micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlitestore: put principal %s: %w", p.ID, err)
	}
	return nil
}

// GetPrincipal returns one principal.
func (e *engine) GetPrincipal(ctx context.Context, id string) (spots.Principal, error) {
	var r principalRow
	err := sqlx.GetContext(ctx, e.read(), &r, `SELECT `+principalColumns+` FROM briefcase_principals WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = spots.ErrNotFound
	}
	if err != nil {
		return spots.Principal{}, fmt.Errorf("sqlitestore: get principal %s: %w", id, err)
	}
	return r.principal()
}

// ListPrincipals returns principals ordered by ID, after f.AfterID, at most
// f.Limit (zero: all).
func (e *engine) ListPrincipals(ctx context.Context, f spots.PrincipalFilter) ([]spots.Principal, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var rows []principalRow
	err := sqlx.SelectContext(ctx, e.read(), &rows, `SELECT `+principalColumns+` FROM briefcase_principals
		WHERE id > ? ORDER BY id LIMIT ?`, f.AfterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list principals: %w", err)
	}
	out := make([]spots.Principal, len(rows))
	for i, r := range rows {
		p, err := r.principal()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
