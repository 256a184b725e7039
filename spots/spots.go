package spots

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
)

// Errors returned by this package and by spots.Store implementations.
var (
	ErrNotFound        = errcode.New(errcode.NotFound, "spots: not found")
	ErrConflict        = errcode.New(errcode.Conflict, "spots: conflict")
	ErrInvalid         = errcode.New(errcode.Invalid, "spots: invalid")
	ErrForbidden       = errcode.New(errcode.Forbidden, "spots: forbidden")
	ErrUnauthenticated = errcode.New(errcode.Unauthenticated, "spots: no principal")
	ErrPrecondition    = errcode.New(errcode.FailedPrecondition, "spots: precondition failed")
)

// TrainingContentContributor must be completed before a principal can hold
// the editor, coowner or owner role.
const TrainingContentContributor = "content-contributor"

// PlatformRole is a role that applies across every spot.
type PlatformRole string

// Platform roles.
const (
	// Admin sees and manages everything; every use of that power beyond the
	// principal's own grants is an audited override.
	Admin PlatformRole = "admin"
	// Analyst may read every analytics report.
	Analyst PlatformRole = "analyst"
)

// Valid reports whether r is a known platform role.
func (r PlatformRole) Valid() bool { return r == Admin || r == Analyst }

// Training records a completed training.
type Training struct {
	Name        string    `json:"name"`
	CompletedAt time.Time `json:"completed_at"`
}

// Principal is a signed-in internal user. ID is the stable SSO subject.
type Principal struct {
	ID        string         `json:"id"`
	Email     string         `json:"email"`
	Name      string         `json:"name"`
	Groups    []string       `json:"groups"`
	Roles     []PlatformRole `json:"roles"`
	Trainings []Training     `json:"trainings"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	// System marks the principal background jobs run as. It is never stored.
	System bool `json:"-"`
}

// HasRole reports whether p holds the platform role r.
func (p Principal) HasRole(r PlatformRole) bool { return slices.Contains(p.Roles, r) }

// IsAdmin reports whether p is an admin or the system principal.
func (p Principal) IsAdmin() bool { return p.System || p.HasRole(Admin) }

// HasTraining reports whether p completed the named training.
func (p Principal) HasTraining(name string) bool {
	return slices.ContainsFunc(p.Trainings, func(t Training) bool { return t.Name == name })
}

// InGroup reports whether p is a member of group g.
func (p Principal) InGroup(g string) bool { return slices.Contains(p.Groups, g) }

// FirstName is the first word of p's name, or its ID when it has no name.
func (p Principal) FirstName() string {
	if f := strings.Fields(p.Name); len(f) > 0 {
		return f[0]
	}
	return p.ID
}

// Subjects returns every subject p acts as: the user itself and its groups.
func (p Principal) Subjects() []Subject {
	s := make([]Subject, 0, 1+len(p.Groups))
	s = append(s, User(p.ID))
	for _, g := range p.Groups {
		s = append(s, Group(g))
	}
	return s
}

// Clone returns a deep copy of p.
func (p Principal) Clone() Principal {
	p.Groups = slices.Clone(p.Groups)
	p.Roles = slices.Clone(p.Roles)
	p.Trainings = slices.Clone(p.Trainings)
	return p
}

// System is the principal background jobs (index follower, sweeper) act as.
// It is allowed everything and is never audited as an override.
var systemPrincipal = Principal{ID: "system", Name: "Briefcase", System: true}

// SystemPrincipal returns the principal for background jobs.
func SystemPrincipal() Principal { return systemPrincipal.Clone() }

type principalKey struct{}

// WithPrincipal returns a context carrying p. Services read the principal
// from the context and fail closed when there is none.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or ErrUnauthenticated.
func PrincipalFrom(ctx context.Context) (Principal, error) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	if !ok || p.ID == "" {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}

// Kind is what a spot is for.
type Kind string

// Spot kinds.
const (
	KindProduct  Kind = "product"
	KindTeam     Kind = "team"
	KindGTM      Kind = "gtm"
	KindPersonal Kind = "personal"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindProduct, KindTeam, KindGTM, KindPersonal:
		return true
	}
	return false
}

// Visibility says who may view a spot without a grant.
type Visibility string

// Visibilities.
const (
	// Public spots are viewable by every principal.
	Public Visibility = "public"
	// Restricted spots are viewable by members only.
	Restricted Visibility = "restricted"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == Public || v == Restricted }

// Spot is a place content lives in. Access is decided per spot.
type Spot struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Kind        Kind       `json:"kind"`
	Official    bool       `json:"official"`
	Visibility  Visibility `json:"visibility"`
	// Region is optional: "amer", "emea", "apj", ...
	Region string `json:"region,omitempty"`
	// OwnerID is the principal owning a personal spot; empty for other kinds
	// (their owner is the single owner grant).
	OwnerID   string    `json:"owner_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Policy is the spot's governance policy document, written only by
	// governance.Service.SetPolicy (which validates it and reschedules the
	// spot's items); empty means the defaults.
	Policy []byte `json:"-"`
}

// Personal reports whether s is a personal spot.
func (s Spot) Personal() bool { return s.Kind == KindPersonal }

// Clone returns a deep copy of s.
func (s Spot) Clone() Spot {
	s.Policy = slices.Clone(s.Policy)
	return s
}

// Role is a spot role. Stronger roles include the weaker ones.
type Role string

// Spot roles, strongest first.
const (
	Owner   Role = "owner"
	Coowner Role = "coowner"
	Editor  Role = "editor"
	Viewer  Role = "viewer"
)

// Rank orders roles: owner 4, coowner 3, editor 2, viewer 1, unknown 0.
func (r Role) Rank() int {
	switch r {
	case Owner:
		return 4
	case Coowner:
		return 3
	case Editor:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.Rank() > 0 }

// AtLeast reports whether r is as strong as o.
func (r Role) AtLeast(o Role) bool { return r.Rank() >= o.Rank() && r.Rank() > 0 }

// NeedsTraining reports whether holding r requires the content-contributor
// training.
func (r Role) NeedsTraining() bool { return r.AtLeast(Editor) }

// SubjectKind says whether a grant goes to a user or a group.
type SubjectKind string

// Subject kinds.
const (
	SubjectUser  SubjectKind = "user"
	SubjectGroup SubjectKind = "group"
)

// Subject is who a grant is given to.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	ID   string      `json:"id"`
}

// User returns the subject for a user.
func User(id string) Subject { return Subject{Kind: SubjectUser, ID: id} }

// Group returns the subject for a group.
func Group(name string) Subject { return Subject{Kind: SubjectGroup, ID: name} }

// String formats s as "user:alice" or "group:sales".
func (s Subject) String() string { return string(s.Kind) + ":" + s.ID }

// ParseSubject parses "user:alice", "group:sales" or a bare user ID.
func ParseSubject(v string) (Subject, error) {
	kind, id, found := strings.Cut(v, ":")
	if !found {
		kind, id = string(SubjectUser), v
	}
	s := Subject{Kind: SubjectKind(kind), ID: id}
	if (s.Kind != SubjectUser && s.Kind != SubjectGroup) || strings.TrimSpace(id) == "" {
		return Subject{}, errcode.Invalidf(ErrInvalid, "subject", "must be user:<id>, group:<name> or a user id")
	}
	return s, nil
}

// Grant gives a subject a role on a spot.
type Grant struct {
	SpotID    string    `json:"spot_id"`
	Subject   Subject   `json:"subject"`
	Role      Role      `json:"role"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}
