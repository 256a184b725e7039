// Package auth identifies the principal behind a request: bearer API tokens
// for programs (here) and single sign-on for people.
//
// API tokens are 256-bit secrets from crypto/rand, shown once when created;
// the store keeps only their SHA-256, so a leaked database leaks no usable
// token.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/google/uuid"
)

// Errors returned by this package and by auth.Store implementations.
var (
	ErrNotFound        = errcode.New(errcode.NotFound, "auth: not found")
	ErrConflict        = errcode.New(errcode.Conflict, "auth: conflict")
	ErrInvalid         = errcode.New(errcode.Invalid, "auth: invalid")
	ErrForbidden       = errcode.New(errcode.Forbidden, "auth: forbidden")
	ErrUnauthenticated = errcode.New(errcode.Unauthenticated, "auth: unauthenticated")
)

// TokenPrefix starts every API token, so scanners can spot leaked ones.
const TokenPrefix = "bc_"

// Token is a stored API token: its hash, never its secret.
type Token struct {
	ID          string `json:"id"`
	PrincipalID string `json:"principal_id"`
	Name        string `json:"name"`
	// Hash is the hex SHA-256 of the secret.
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is optional; zero never expires.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Store persists API tokens. It is safe for concurrent use.
type Store interface {
	// CreateToken stores a token; ErrConflict on a duplicate ID or hash.
	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns the token with the given hash; ErrNotFound when none.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// ListTokens returns a principal's tokens, oldest first.
	ListTokens(ctx context.Context, principalID string) ([]Token, error)
	// DeleteToken deletes a token; ErrNotFound when absent.
	DeleteToken(ctx context.Context, id string) error
}

// Principals loads the principal a token belongs to; a spots.Store does.
type Principals interface {
	GetPrincipal(ctx context.Context, id string) (spots.Principal, error)
}

// Tokens issues and checks API tokens.
type Tokens struct {
	st    Store
	users Principals
	log   audit.Store
	now   func() time.Time
}

// NewTokens returns a token service. Every issued token is recorded in log
// (without its secret); issuing one for someone else is an admin override.
func NewTokens(st Store, users Principals, log audit.Store, now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{st: st, users: users, log: log, now: now}
}

// Hash returns the hex SHA-256 of a token secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Create issues a token for principalID and returns its secret, which is
// never stored. Admins may issue tokens for anyone, others only for
// themselves. ttl zero means the token does not expire.
func (t *Tokens) Create(ctx context.Context, principalID, name string, ttl time.Duration) (string, Token, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return "", Token{}, err
	}
	if actor.ID != principalID && !actor.IsAdmin() {
		return "", Token{}, fmt.Errorf("%w: tokens are issued to yourself", ErrForbidden)
	}
	var f errcode.Fields
	if ttl < 0 {
		f.Add("ttl", "must not be negative")
	}
	if len(name) > 200 {
		f.Add("name", "must be at most 200 characters")
	}
	if err := f.Err(ErrInvalid); err != nil {
		return "", Token{}, err
	}
	if _, err := t.users.GetPrincipal(ctx, principalID); err != nil {
		if errors.Is(err, spots.ErrNotFound) {
			return "", Token{}, errcode.Invalidf(ErrInvalid, "user", "unknown user %q", principalID)
		}
		return "", Token{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, fmt.Errorf("auth: random: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	now := t.now().UTC().Truncate(time.Microsecond)
	tok := Token{ID: uuid.Must(uuid.NewV7()).String(), PrincipalID: principalID, Name: name, Hash: Hash(secret), CreatedAt: now}
	if ttl > 0 {
		tok.ExpiresAt = now.Add(ttl)
	}
	if err := t.st.CreateToken(ctx, tok); err != nil {
		return "", Token{}, fmt.Errorf("auth: create token: %w", err)
	}
	entry := audit.Entry{At: now, Actor: actor.ID, Action: "token.create", TargetKind: "principal",
		TargetID: principalID, Override: actor.ID != principalID && !actor.System, After: audit.JSON(tok)}
	if err := t.log.AppendAudit(ctx, entry); err != nil {
		// An unrecorded token must not stay usable.
		if derr := t.st.DeleteToken(ctx, tok.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return "", Token{}, fmt.Errorf("auth: audit token: %w", err)
	}
	return secret, tok, nil
}

// Verify returns the principal a token secret belongs to, as stored now.
// Unknown, expired and malformed tokens, and tokens of deleted principals,
// are all ErrUnauthenticated, without saying which.
func (t *Tokens) Verify(ctx context.Context, secret string) (spots.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return spots.Principal{}, ErrUnauthenticated
	}
	tok, err := t.st.TokenByHash(ctx, Hash(secret))
	if errors.Is(err, ErrNotFound) {
		return spots.Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return spots.Principal{}, fmt.Errorf("auth: look up token: %w", err)
	}
	if !tok.ExpiresAt.IsZero() && !t.now().Before(tok.ExpiresAt) {
		return spots.Principal{}, ErrUnauthenticated
	}
	p, err := t.users.GetPrincipal(ctx, tok.PrincipalID)
	if errors.Is(err, spots.ErrNotFound) {
		return spots.Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return spots.Principal{}, fmt.Errorf("auth: load principal: %w", err)
	}
	return p, nil
}

// Authenticate reads "Authorization: Bearer <token>" and returns its
// principal. It implements the root Identity interface.
func (t *Tokens) Authenticate(r *http.Request) (spots.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return spots.Principal{}, ErrUnauthenticated
	}
	return t.Verify(r.Context(), strings.TrimSpace(secret))
}
