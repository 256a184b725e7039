package spots

import (
	"context"

	"github.com/briefcasehq/briefcase/audit"
)

// Store persists spots, grants and principals. It holds no rules: it never
// sees the principal making a request and never decides access. Every
// method is safe for concurrent use. Missing records are reported as
// ErrNotFound (wrapped), never as a zero value with a nil error. Times are
// kept to at least microsecond precision and returned in UTC. Returned values
// are copies the caller may modify.
type Store interface {
	// CreateSpot stores a new spot. It returns ErrConflict when a spot with
	// the same ID exists, or when s is personal and its OwnerID already has a
	// personal spot.
	CreateSpot(ctx context.Context, s Spot) error
	// GetSpot returns the spot with the given ID.
	GetSpot(ctx context.Context, id string) (Spot, error)
	// PersonalSpot returns the personal spot of the principal ownerID.
	PersonalSpot(ctx context.Context, ownerID string) (Spot, error)
	// UpdateSpot replaces every field of the stored spot with s, except
	// CreatedAt, Kind and OwnerID, which never change.
	UpdateSpot(ctx context.Context, s Spot) error
	// DeleteSpot deletes the spot and, in the same transaction, everything
	// that cannot outlive it: its grants, its placements, and the items whose
	// home it is (with their versions, placements, list memberships and
	// bookmarks).
	DeleteSpot(ctx context.Context, id string) error
	// ListSpots returns the spots matching f, ordered by name then ID.
	ListSpots(ctx context.Context, f SpotFilter) ([]Spot, error)

	// PutGrant creates or replaces the grant for (g.SpotID, g.Subject).
	// It returns ErrNotFound when the spot does not exist.
	PutGrant(ctx context.Context, g Grant) error
	// DeleteGrant removes the grant of subject on spotID.
	DeleteGrant(ctx context.Context, spotID string, subject Subject) error
	// ListGrants returns the grants on one spot, strongest role first, then
	// by subject.
	ListGrants(ctx context.Context, spotID string) ([]Grant, error)
	// GrantsForSubjects returns every grant held by any of the subjects, on
	// any spot, ordered by spot ID then subject.
	GrantsForSubjects(ctx context.Context, subjects []Subject) ([]Grant, error)

	// PutPrincipal creates or replaces a principal (System is not stored).
	PutPrincipal(ctx context.Context, p Principal) error
	// GetPrincipal returns the principal with the given ID.
	GetPrincipal(ctx context.Context, id string) (Principal, error)
	// ListPrincipals returns principals ordered by ID, after f.AfterID,
	// at most f.Limit (zero: all).
	ListPrincipals(ctx context.Context, f PrincipalFilter) ([]Principal, error)
}

// SpotFilter selects spots. Zero fields do not filter.
type SpotFilter struct {
	// IDs, when non-nil, keeps only these spots; an empty non-nil slice
	// matches nothing.
	IDs        []string
	Visibility Visibility
	Kind       Kind
	// ExcludePersonal drops personal spots.
	ExcludePersonal bool
}

// PrincipalFilter pages through principals.
type PrincipalFilter struct {
	AfterID string
	Limit   int
}

// Stores is what the spots service reads and writes.
type Stores interface {
	Store
	audit.Store
}

// AtomicFunc runs fn in one transaction: every write fn makes through tx is
// committed together when fn returns nil and rolled back when it returns an
// error (which AtomicFunc returns).
type AtomicFunc func(ctx context.Context, fn func(tx Stores) error) error
