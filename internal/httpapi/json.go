package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
)

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	apiHeaders(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // served as JSON with nosniff, never as HTML
	err := enc.Encode(v)
	b := buf.Bytes()
	if err != nil {
		// Domain types always marshal; this is a programming error.
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	w.WriteHeader(status)
	w.Write(b)
}

// noContent answers 204.
func noContent(w http.ResponseWriter) {
	apiHeaders(w)
	w.Header().Del("Content-Type")
	w.WriteHeader(http.StatusNoContent)
}

// listBody is the shape of every list answer.
type listBody[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func list[T any](items []T, next string) listBody[T] {
	if items == nil {
		items = []T{}
	}
	return listBody[T]{Items: items, NextCursor: next}
}

// errUnsupportedJSON refuses a body that is not declared as JSON.
var errUnsupportedJSON = &requestError{status: http.StatusUnsupportedMediaType, code: errcode.Invalid,
	message: "Content-Type must be application/json", fields: map[string]string{"body": "must be sent as application/json"}}

// decode reads r's body, one JSON object, into dst. It refuses a
// Content-Type other than application/json, an empty body, a body over the
// limit, malformed JSON, anything but an object at the top level, unknown
// fields, values of the wrong type and data after the object. On an error
// dst may be partly filled: callers must not use it.
func (a *api) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errUnsupportedJSON
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge("body", fmt.Sprintf("must be at most %d bytes", a.cfg.MaxBodyBytes))
	}
	if err != nil {
		return badRequest("body", "could not be read")
	}
	return decodeJSON(body, dst)
}

// decodeOptional is decode for routes whose body may be left out (actions
// such as approve, whose fields are all optional or checked by the
// service): an empty body, whatever its Content-Type, leaves dst as it is;
// any other body must be what decode accepts.
func (a *api) decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge("body", fmt.Sprintf("must be at most %d bytes", a.cfg.MaxBodyBytes))
	}
	if err != nil {
		return badRequest("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errUnsupportedJSON
	}
	return decodeJSON(body, dst)
}

// decodeJSON is decode's pure part.
func decodeJSON(body []byte, dst any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return badRequest("body", "required: a JSON object")
	}
	if trimmed[0] != '{' {
		return badRequest("body", "must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(trimmed, dst, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("body", "must hold one JSON object and nothing after it")
	}
	return nil
}

// jsonError names the field a decoding error is about.
func jsonError(body []byte, dst any, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest("body", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body", "malformed JSON: unexpected end")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return badRequest(field, "must be "+jsonTypeName(typ))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unq, err := strconv.Unquote(name); err == nil {
			name = unq
		}
		return badRequest(name, "unknown field")
	}
	// A value's own UnmarshalJSON refused it (time.Time, say), and such
	// errors do not say where: find the top-level field by decoding the
	// fields one at a time.
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		t := reflect.TypeOf(dst)
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			raw := fields[name]
			one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
			probe := reflect.New(t.Elem()).Interface()
			if ferr := json.Unmarshal(one, probe); ferr != nil {
				return badRequest(name, valueProblem(ferr))
			}
		}
	}
	return badRequest("body", "invalid JSON value")
}

func valueProblem(err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) || strings.Contains(err.Error(), "Time.UnmarshalJSON") {
		return "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"
	}
	return "invalid value"
}

// jsonTypeName says, in JSON terms, what a field should have been.
func jsonTypeName(e *json.UnmarshalTypeError) string {
	t := e.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if strings.HasPrefix(e.Value, "number") {
			return "a whole number in range"
		}
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		if t == reflect.TypeFor[time.Time]() {
			return "an RFC 3339 time such as 2026-01-02T15:04:05Z"
		}
		return "an object"
	}
	return "of another type"
}
