package auth_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/matryer/is"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func setup(t *testing.T) (*auth.Tokens, *memstore.Store, *clock) {
	t.Helper()
	st := memstore.New()
	for _, p := range []spots.Principal{
		{ID: "alice", Name: "Alice"},
		{ID: "bob", Name: "Bob"},
		{ID: "root", Roles: []spots.PlatformRole{spots.Admin}},
	} {
		if err := st.PutPrincipal(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	return auth.NewTokens(st, st, st, c.Now), st, c
}

func as(id string, roles ...spots.PlatformRole) context.Context {
	return spots.WithPrincipal(context.Background(), spots.Principal{ID: id, Roles: roles})
}

func TestCreateAndVerify(t *testing.T) {
	is := is.New(t)
	tokens, st, _ := setup(t)
	secret, tok, err := tokens.Create(as("alice"), "alice", "laptop", 0)
	is.NoErr(err)
	is.True(strings.HasPrefix(secret, auth.TokenPrefix))
	is.True(len(secret) >= len(auth.TokenPrefix)+43) // 256 bits, base64url
	is.Equal(tok.Hash, auth.Hash(secret))
	is.True(!strings.Contains(tok.Hash, secret[len(auth.TokenPrefix):])) // only the hash is kept

	stored, err := st.TokenByHash(context.Background(), auth.Hash(secret))
	is.NoErr(err)
	is.Equal(stored.PrincipalID, "alice")

	p, err := tokens.Verify(context.Background(), secret)
	is.NoErr(err)
	is.Equal(p.ID, "alice")
	is.Equal(p.Name, "Alice")

	other, _, err := tokens.Create(as("alice"), "alice", "ci", 0)
	is.NoErr(err)
	is.True(other != secret) // every token is fresh randomness
}

func TestCreateRules(t *testing.T) {
	is := is.New(t)
	tokens, st, _ := setup(t)
	_, _, err := tokens.Create(context.Background(), "alice", "", 0)
	is.Equal(errcode.Of(err), errcode.Unauthenticated) // fails closed
	_, _, err = tokens.Create(as("bob"), "alice", "", 0)
	is.Equal(errcode.Of(err), errcode.Forbidden) // only for yourself
	_, _, err = tokens.Create(as("root", spots.Admin), "ghost", "", 0)
	is.True(errcode.FieldsOf(err)["user"] != "")
	_, _, err = tokens.Create(as("alice"), "alice", "", -time.Hour)
	is.True(errcode.FieldsOf(err)["ttl"] != "")
	list, err := st.ListTokens(context.Background(), "alice")
	is.NoErr(err)
	is.Equal(len(list), 0) // refused creations stored nothing
	_, _, err = tokens.Create(as("root", spots.Admin), "alice", "issued by admin", 0)
	is.NoErr(err)
	log, err := st.ListAudit(context.Background(), audit.Filter{Actor: "root"})
	is.NoErr(err)
	is.Equal(len(log), 1)
	is.Equal(log[0].Action, "token.create")
	is.Equal(log[0].TargetID, "alice")
	is.True(log[0].Override) // a token for someone else is an override
}

func TestVerifyRefusals(t *testing.T) {
	is := is.New(t)
	tokens, st, c := setup(t)
	short, _, err := tokens.Create(as("alice"), "alice", "", time.Hour)
	is.NoErr(err)
	gone, _, err := tokens.Create(as("bob"), "bob", "", 0)
	is.NoErr(err)
	is.NoErr(st.PutPrincipal(context.Background(), spots.Principal{ID: "carol"}))

	_, err = tokens.Verify(context.Background(), short)
	is.NoErr(err)
	c.Add(time.Hour)
	for name, secret := range map[string]string{
		"expired":        short,
		"unknown":        auth.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"no prefix":      strings.TrimPrefix(gone, auth.TokenPrefix),
		"empty":          "",
		"tampered":       gone[:len(gone)-1] + "x",
		"absurdly large": auth.TokenPrefix + strings.Repeat("a", 500),
	} {
		_, err := tokens.Verify(context.Background(), secret)
		if errcode.Of(err) != errcode.Unauthenticated {
			t.Errorf("%s: got %v, want unauthenticated", name, err)
		}
	}

	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+gone)
	p, err := tokens.Authenticate(r)
	is.NoErr(err)
	is.Equal(p.ID, "bob")
	r.Header.Set("Authorization", "Basic "+gone)
	_, err = tokens.Authenticate(r)
	is.Equal(errcode.Of(err), errcode.Unauthenticated) // only bearer tokens
}
