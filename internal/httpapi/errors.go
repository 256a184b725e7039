package httpapi

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/search"
)

// statusOf is the one table from error codes to HTTP statuses.
//
// failed_precondition is 422: the request is well formed and allowed, but
// the state of what it targets refuses it (a personal spot cannot be
// deleted, an item without an upload has no content). 400 stays for input
// that is wrong whatever the state, 409 for clashes with another record.
var statusOf = map[errcode.Code]int{
	errcode.Invalid:            http.StatusBadRequest,
	errcode.Unauthenticated:    http.StatusUnauthorized,
	errcode.Forbidden:          http.StatusForbidden,
	errcode.NotFound:           http.StatusNotFound,
	errcode.Conflict:           http.StatusConflict,
	errcode.FailedPrecondition: http.StatusUnprocessableEntity,
	errcode.Gone:               http.StatusGone,
	errcode.Unavailable:        http.StatusServiceUnavailable,
	errcode.TooManyRequests:    http.StatusTooManyRequests,
	errcode.Internal:           http.StatusInternalServerError,
}

// errorBody is the wire shape of every error answer:
//
//	{"error": {"code": "invalid", "message": "...", "fields": {"title": "required"}}}
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errcode.Code      `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Position is the byte offset of a malformed search query's problem.
	Position *int `json:"position,omitempty"`
}

// requestError is a refusal made by this package before any service is
// called (bad JSON, body too large, wrong media type). Its status may differ
// from the code's usual one (413 and 415 are invalid input too).
type requestError struct {
	status  int
	code    errcode.Code
	message string
	fields  map[string]string
}

func (e *requestError) Error() string { return e.message }

// Code implements errcode.Coder.
func (e *requestError) Code() errcode.Code { return e.code }

// badRequest reports invalid input in one field with a 400.
func badRequest(field, format string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: errcode.Invalid,
		message: "invalid input: " + field + ": " + format, fields: map[string]string{field: format}}
}

// tooLarge reports a body or upload over its limit with a 413.
func tooLarge(field, msg string) *requestError {
	return &requestError{status: http.StatusRequestEntityTooLarge, code: errcode.Invalid,
		message: field + " too large: " + msg, fields: map[string]string{field: msg}}
}

// genericMessages answer for codes whose error carries no message written
// for clients.
var genericMessages = map[errcode.Code]string{
	errcode.Invalid:            "invalid input",
	errcode.Unauthenticated:    "authentication required",
	errcode.Forbidden:          "forbidden",
	errcode.NotFound:           "not found",
	errcode.Conflict:           "conflicts with the current state",
	errcode.FailedPrecondition: "precondition failed",
	errcode.Gone:               "gone",
	errcode.Unavailable:        "temporarily unavailable",
	errcode.TooManyRequests:    "too many attempts; try again later",
	errcode.Internal:           "internal error",
}

// describe turns err into its status and wire body. It never exposes the
// text of an internal error, and for other codes it exposes only what the
// package owning the error's sentinel wrote (see clientMessage).
func describe(err error) (int, errorDetail) {
	var re *requestError
	if errors.As(err, &re) {
		return re.status, errorDetail{Code: re.code, Message: re.message, Fields: re.fields}
	}
	var se *search.SyntaxError
	if errors.As(err, &se) {
		pos := se.Pos
		return http.StatusBadRequest, errorDetail{Code: errcode.Invalid, Message: "malformed query: " + se.Msg +
			" at position " + strconv.Itoa(se.Pos), Fields: map[string]string{"q": se.Msg}, Position: &pos}
	}
	code := errcode.Of(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = errcode.Internal, http.StatusInternalServerError
	}
	if code == errcode.Internal {
		return status, errorDetail{Code: code, Message: genericMessages[code]}
	}
	d := errorDetail{Code: code, Message: clientMessage(err, code)}
	var fe *errcode.FieldError
	if errors.As(err, &fe) && len(fe.Fields) > 0 {
		d.Fields = maps.Clone(fe.Fields)
	}
	return status, d
}

// clientMessage chooses the message of a non-internal error.
//
// Errors travel as chains such as
//
//	spots: grant user:bob on 0190…: spots: forbidden: a editor may not grant coowner
//	items: get 0190…: sqlitestore: get item 0190…: items: not found
//
// The first is written entirely by the spots service; the second passes
// through a storage adapter, whose text may name tables, drivers or file
// paths. So a message is built deliberately, never by showing the chain:
//
//   - validation errors list their fields: "invalid input: title: required";
//   - otherwise the coded sentinel's own words, without its package prefix
//     ("forbidden", "not found", "not downloadable"), when a domain package
//     declared it, and a generic text for the code when not;
//   - followed by the detail written after the sentinel ("%w: detail") only
//     when every error wrapping it was written by a domain package, and
//     never for not_found and conflict, the two codes storage adapters
//     produce themselves.
func clientMessage(err error, code errcode.Code) string {
	var fe *errcode.FieldError
	if errors.As(err, &fe) {
		parts := make([]string, 0, len(fe.Fields))
		for _, k := range slices.Sorted(maps.Keys(fe.Fields)) {
			parts = append(parts, k+": "+fe.Fields[k])
		}
		if len(parts) == 0 {
			return genericMessages[errcode.Invalid]
		}
		return genericMessages[errcode.Invalid] + ": " + strings.Join(parts, "; ")
	}
	var sentinel *errcode.Error
	if !errors.As(err, &sentinel) {
		return genericMessages[code]
	}
	text := sentinel.Error()
	pkg, words, ok := strings.Cut(text, ": ")
	if !ok || !slices.Contains(domainPackages, pkg) || words == "" {
		return genericMessages[code]
	}
	if code == errcode.NotFound || code == errcode.Conflict {
		return words
	}
	// Walk down from err to the error that wraps the sentinel; every layer
	// must start with a domain package's prefix.
	for e := err; e != nil; {
		if !slices.Contains(domainPackages, packageOf(e.Error())) {
			return words
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return words
		}
		next := u.Unwrap()
		if next == error(sentinel) {
			if i := strings.Index(e.Error(), text+": "); i >= 0 {
				if detail := strings.TrimSpace(e.Error()[i+len(text)+2:]); detail != "" {
					return words + ": " + detail
				}
			}
			return words
		}
		e = next
	}
	return words
}

// domainPackages write their error texts for people; storage adapters and
// drivers do not.
var domainPackages = []string{"spots", "items", "auth", "share", "governance", "search", "analytics", "briefcase"}

// packageOf returns the "pkg" of a text "pkg: ...", or "".
func packageOf(text string) string {
	pkg, _, ok := strings.Cut(text, ": ")
	if !ok || strings.ContainsAny(pkg, " \t") {
		return ""
	}
	return pkg
}
