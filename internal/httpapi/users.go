package httpapi

import (
	"net/http"
	"time"

	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
)

// Page sizes of GET /users.
const (
	defaultUsersLimit = 100
	maxUsersLimit     = 500
)

// listUsers pages through principals by ID (admins only):
// ?cursor=<last ID of the previous page>&limit=.
func (a *api) listUsers(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, []string{"cursor", "limit"}, nil)
	if err != nil {
		return err
	}
	limit, err := q.int("limit")
	if err != nil {
		return err
	}
	if !q.Has("limit") {
		limit = defaultUsersLimit
	}
	if limit < 1 || limit > maxUsersLimit {
		return badRequest("limit", "must be between 1 and 500")
	}
	ps, err := a.cfg.Spots.ListPrincipals(r.Context(), spots.PrincipalFilter{AfterID: q.Get("cursor"), Limit: limit + 1})
	if err != nil {
		return err
	}
	next := ""
	if len(ps) > limit {
		ps = ps[:limit]
		next = ps[limit-1].ID
	}
	for i := range ps {
		ps[i] = principalOut(ps[i])
	}
	writeJSON(w, http.StatusOK, list(ps, next))
	return nil
}

// userBody is the body of PUT /users/{id}. Trainings are recorded through
// their own routes and kept here.
type userBody struct {
	Name   string               `json:"name"`
	Email  string               `json:"email"`
	Groups []string             `json:"groups"`
	Roles  []spots.PlatformRole `json:"roles"`
}

// putUser creates or replaces a principal (admins only).
func (a *api) putUser(w http.ResponseWriter, r *http.Request) error {
	var in userBody
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.cfg.Spots.SavePrincipal(r.Context(), spots.Principal{
		ID: r.PathValue("id"), Name: in.Name, Email: in.Email, Groups: in.Groups, Roles: in.Roles})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, principalOut(p))
	return nil
}

func (a *api) recordTraining(w http.ResponseWriter, r *http.Request) error {
	p, err := a.cfg.Spots.RecordTraining(r.Context(), r.PathValue("id"), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, principalOut(p))
	return nil
}

func (a *api) revokeTraining(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.cfg.Spots.RevokeTraining(r.Context(), r.PathValue("id"), r.PathValue("name")); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// tokenBody is the body of POST /tokens.
type tokenBody struct {
	Name string `json:"name"`
	// TTLSeconds is the token's lifetime; zero or absent never expires.
	TTLSeconds int64 `json:"ttl_seconds"`
	// User is who the token acts as; the caller by default (others: admins
	// only).
	User string `json:"user"`
}

// maxTTLSeconds keeps the lifetime inside a time.Duration (about 292 years).
const maxTTLSeconds = int64(100 * 365 * 24 * 60 * 60)

// createdToken is a new token with its secret, which is shown only here.
type createdToken struct {
	Secret string `json:"token"`
	auth.Token
}

func (a *api) createToken(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Tokens == nil {
		return &requestError{status: http.StatusNotFound, code: errcode.NotFound, message: "API tokens are not enabled"}
	}
	var in tokenBody
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	switch {
	case in.TTLSeconds < 0:
		return badRequest("ttl_seconds", "must not be negative")
	case in.TTLSeconds > maxTTLSeconds:
		return badRequest("ttl_seconds", "must be at most 100 years")
	}
	if in.User == "" {
		p, err := spots.PrincipalFrom(r.Context())
		if err != nil {
			return err
		}
		in.User = p.ID
	}
	secret, tok, err := a.cfg.Tokens.Create(r.Context(), in.User, in.Name, time.Duration(in.TTLSeconds)*time.Second)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdToken{Secret: secret, Token: tok})
	return nil
}
