package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/matryer/is"
)

// TestErrorMessages pins the message policy: what a client reads for the
// errors services and adapters produce, and that adapter text never
// reaches it.
func TestErrorMessages(t *testing.T) {
	// A code declared outside the domain packages, by an adapter.
	adapterSentinel := errcode.New(errcode.NotFound, "pgstore: no row in briefcase_items")
	for _, c := range []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"service detail", fmt.Errorf("%w: only admins may create official spots", spots.ErrForbidden),
			403, "forbidden", "forbidden: only admins may create official spots"},
		{"service detail, wrapped by its service", fmt.Errorf("spots: grant user:bob on 42: %w",
			fmt.Errorf("%w: a editor may not grant coowner", spots.ErrForbidden)),
			403, "forbidden", "forbidden: a editor may not grant coowner"},
		{"decision chain", fmt.Errorf("spots: %s %s: %w: %s", "edit", "42", spots.ErrForbidden, "group:sales holds viewer"),
			403, "forbidden", "forbidden: group:sales holds viewer"},
		{"sentinel's own words", fmt.Errorf("items: content of 42: %w", items.ErrNotDownloadable),
			403, "forbidden", "not downloadable"},
		{"precondition", fmt.Errorf("%w: personal spots cannot be deleted", spots.ErrPrecondition),
			422, "failed_precondition", "precondition failed: personal spots cannot be deleted"},
		{"through an adapter", fmt.Errorf("items: get 42: %w", fmt.Errorf("sqlitestore: get item 42: %w", items.ErrNotFound)),
			404, "not_found", "not found"},
		{"adapter detail after the sentinel", fmt.Errorf("items: create list group: %w",
			fmt.Errorf("sqlitestore: create list group 7: %w", fmt.Errorf("%w: UNIQUE constraint failed: briefcase_list_groups.name", items.ErrConflict))),
			409, "conflict", "conflict"},
		{"adapter detail behind a domain prefix", fmt.Errorf("items: create list group: %w",
			fmt.Errorf("%w: UNIQUE constraint failed: briefcase_list_groups.name", items.ErrConflict)),
			409, "conflict", "conflict"},
		{"adapter layer hides a later detail", fmt.Errorf("spots: grant: %w",
			fmt.Errorf("pgstore: tx 9 on host db-3: %w", fmt.Errorf("%w: a editor may not grant coowner", spots.ErrForbidden))),
			403, "forbidden", "forbidden"},
		{"adapter's own sentinel", fmt.Errorf("items: get 42: %w", adapterSentinel),
			404, "not_found", "not found"},
		{"fields", fmt.Errorf("items: create: %w", errcode.Invalidf(items.ErrInvalid, "title", "required")),
			400, "invalid", "invalid input: title: required"},
		{"fields over another base", errcode.Invalidf(spots.ErrPrecondition, "role", "bob has not completed the training"),
			400, "invalid", "invalid input: role: bob has not completed the training"},
		{"auth", fmt.Errorf("%w: tokens are issued to yourself", auth.ErrForbidden),
			403, "forbidden", "forbidden: tokens are issued to yourself"},
		{"uncoded", errors.New("sqlitestore: open /srv/briefcase.db: disk I/O error"),
			500, "internal", "internal error"},
		{"coded internal", fmt.Errorf("spots: %w", errcode.New(errcode.Internal, "spots: invariant broken at 0xc000")),
			500, "internal", "internal error"},
		{"cancelled", fmt.Errorf("items: list: %w", context.Canceled),
			500, "internal", "internal error"},
		{"unavailable", fmt.Errorf("search: %w", errcode.New(errcode.Unavailable, "search: index rebuilding")),
			503, "unavailable", "index rebuilding"},
		{"gone", errcode.New(errcode.Gone, "share: link revoked"),
			410, "gone", "link revoked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			status, code, message, _ := httpapi.Describe(c.err)
			is.Equal(status, c.status)
			is.Equal(code, c.code)
			is.Equal(message, c.message)
			for _, leak := range []string{"sqlitestore", "pgstore", "UNIQUE", "/srv", "0xc000", "db-3"} {
				is.True(!strings.Contains(message, leak))
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	is := is.New(t)
	fe := errcode.Invalidf(items.ErrInvalid, "title", "required")
	_, _, _, fields := httpapi.Describe(fmt.Errorf("items: create: %w", fe))
	is.Equal(fields, map[string]string{"title": "required"})
	fields["title"] = "changed" // the answer does not share the error's map
	is.Equal(fe.Fields["title"], "required")
	_, _, _, fields = httpapi.Describe(spots.ErrForbidden)
	is.Equal(fields, nil)
}

// TestErrorGolden pins the wire shape of an error answer.
func TestErrorGolden(t *testing.T) {
	e := newEnv(t)
	r := e.do("eve", "POST", "/api/v1/items", `{"title": 42, "colour": "red"}`)
	if r.status != 400 {
		t.Fatalf("status %d", r.status)
	}
	golden(t, "error_wrong_type.json", r.body)
	r = e.do("eve", "POST", "/api/v1/items", `{"kind": "hologram"}`)
	golden(t, "error_fields.json", r.body)
	r = e.do("", "GET", "/api/v1/me", nil)
	golden(t, "error_unauthenticated.json", r.body)
}
