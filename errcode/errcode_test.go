package errcode_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/matryer/is"
)

var errMissing = errcode.New(errcode.NotFound, "things: not found")

func TestOf(t *testing.T) {
	is := is.New(t)
	is.Equal(errcode.Of(nil), errcode.Code(""))
	is.Equal(errcode.Of(errors.New("boom")), errcode.Internal)
	wrapped := fmt.Errorf("things: get 42: %w", errMissing)
	is.Equal(errcode.Of(wrapped), errcode.NotFound)
	is.True(errors.Is(wrapped, errMissing))
}

func TestFields(t *testing.T) {
	is := is.New(t)
	base := errcode.New(errcode.Invalid, "things: invalid")
	var f errcode.Fields
	is.NoErr(f.Err(base)) // nothing recorded, no error
	f.Add("title", "required")
	f.Add("title", "too long") // the first problem per field wins
	f.Add("kind", "must be %s", "pdf")
	err := fmt.Errorf("create: %w", f.Err(base))
	is.Equal(errcode.Of(err), errcode.Invalid)
	is.True(errors.Is(err, base))
	is.Equal(errcode.FieldsOf(err), map[string]string{"title": "required", "kind": "must be pdf"})
	is.Equal(err.Error(), "create: things: invalid: kind must be pdf; title required")

	pre := errcode.New(errcode.FailedPrecondition, "things: precondition")
	fe := errcode.Invalidf(pre, "owner_id", "untrained")
	is.Equal(errcode.Of(fe), errcode.Invalid) // field errors are input errors
	is.True(errors.Is(fe, pre))
	is.Equal(errcode.FieldsOf(errors.New("x")), map[string]string(nil))
}
