// Package errcode gives every Briefcase error one shared, transport-neutral code.
//
// Each domain package declares its sentinels with [New] (items.ErrNotFound,
// spots.ErrForbidden, ...) and wraps them with context at the callee:
//
//	return fmt.Errorf("items: get %s: %w", id, items.ErrNotFound)
//
// Callers compare with errors.Is and ask for the code with [Of]; the HTTP
// layer maps codes to statuses in one table. Validation failures are
// [*FieldError] values that name every offending field.
package errcode

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Code classifies an error. The zero value is Internal.
type Code string

// The codes shared by every package.
const (
	Internal           Code = "internal"
	Invalid            Code = "invalid"
	Unauthenticated    Code = "unauthenticated"
	Forbidden          Code = "forbidden"
	NotFound           Code = "not_found"
	Conflict           Code = "conflict"
	FailedPrecondition Code = "failed_precondition"
	Gone               Code = "gone"
	Unavailable        Code = "unavailable"
	// TooManyRequests refuses a caller that tried too often (passcode
	// guesses, one-time codes) until a lock-out ends.
	TooManyRequests Code = "too_many_requests"
)

// Coder is implemented by errors that carry a code.
type Coder interface {
	Code() Code
}

// Error is a sentinel with a code. Compare sentinels with errors.Is.
type Error struct {
	code Code
	msg  string
}

// New returns a sentinel error with the given code and message.
func New(code Code, msg string) *Error { return &Error{code: code, msg: msg} }

func (e *Error) Error() string { return e.msg }

// Code returns the error's code.
func (e *Error) Code() Code { return e.code }

// Of returns the code of the first error in err's chain that carries one,
// and Internal when none does. Of(nil) is the empty code.
func Of(err error) Code {
	if err == nil {
		return ""
	}
	var c Coder
	if errors.As(err, &c) {
		return c.Code()
	}
	return Internal
}

// FieldError reports invalid input, one message per field. Field names are
// the snake_case names used on the wire ("title", "expires_at").
type FieldError struct {
	// Fields maps a field name to what is wrong with it.
	Fields map[string]string
	// Base, when set, is the sentinel the error also matches with errors.Is
	// (for example items.ErrInvalid).
	Base error
}

// Invalidf returns a FieldError for one field.
func Invalidf(base error, field, format string, args ...any) *FieldError {
	return &FieldError{Base: base, Fields: map[string]string{field: fmt.Sprintf(format, args...)}}
}

// Code returns Invalid.
func (e *FieldError) Code() Code { return Invalid }

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Base != nil {
		b.WriteString(e.Base.Error())
	} else {
		b.WriteString("invalid input")
	}
	for i, k := range slices.Sorted(maps.Keys(e.Fields)) {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(k)
		b.WriteString(" ")
		b.WriteString(e.Fields[k])
	}
	return b.String()
}

// Unwrap returns the base sentinel.
func (e *FieldError) Unwrap() error { return e.Base }

// Fields collects field problems while validating a value.
// The zero value is ready to use.
type Fields map[string]string

// Add records a problem with field unless one is already recorded.
func (f *Fields) Add(field, format string, args ...any) {
	if *f == nil {
		*f = Fields{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = fmt.Sprintf(format, args...)
	}
}

// Err returns nil when no problem was recorded, otherwise a *FieldError
// matching base.
func (f Fields) Err(base error) error {
	if len(f) == 0 {
		return nil
	}
	return &FieldError{Base: base, Fields: maps.Clone(map[string]string(f))}
}

// FieldsOf returns the field messages of the first *FieldError in err's chain.
func FieldsOf(err error) map[string]string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Fields
	}
	return nil
}
