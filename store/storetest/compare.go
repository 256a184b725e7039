package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// diff compares got with want field by field and returns one line per
// difference, naming the field path ("Item.Owners[1].ID"). It applies the
// storage contract rather than Go equality:
//   - times are equal when time.Equal says so, and a non-zero time must come
//     back in UTC; a zero time must come back zero;
//   - nil and empty slices are the same (a store may return either);
//   - json.RawMessage values are compared as JSON documents, so a store may
//     re-encode them (PostgreSQL jsonb does);
//   - unexported fields are ignored.
//
// Fields named in ignore ("Placements", "Item.ListIDs") are skipped.
func diff(got, want any, ignore ...string) []string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	name := wv.Type().Name()
	diffValue(name, gv, wv, ignore, &out)
	return out
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func diffValue(path string, got, want reflect.Value, ignore []string, out *[]string) {
	if skip(path, ignore) {
		return
	}
	switch {
	case want.Type() == timeType:
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if msg := timeDiff(g, w); msg != "" {
			*out = append(*out, path+": "+msg)
		}
		return
	case want.Type() == rawType:
		g, w := got.Interface().(json.RawMessage), want.Interface().(json.RawMessage)
		if !jsonEqual(g, w) {
			*out = append(*out, fmt.Sprintf("%s: got JSON %s, want %s", path, showJSON(g), showJSON(w)))
		}
		return
	}
	switch want.Kind() {
	case reflect.Struct:
		for i := range want.NumField() {
			f := want.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			diffValue(path+"."+f.Name, got.Field(i), want.Field(i), ignore, out)
		}
	case reflect.Slice:
		if got.Len() == 0 && want.Len() == 0 {
			return
		}
		if want.Type().Elem().Kind() == reflect.Uint8 {
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				*out = append(*out, fmt.Sprintf("%s: got bytes %q, want %q", path, got.Bytes(), want.Bytes()))
			}
			return
		}
		if got.Len() != want.Len() {
			*out = append(*out, fmt.Sprintf("%s: got %d elements %v, want %d elements %v",
				path, got.Len(), show(got), want.Len(), show(want)))
			return
		}
		for i := range want.Len() {
			diffValue(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i), ignore, out)
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(got), show(want)))
		}
	}
}

// skip reports whether path ends in one of the ignored field paths.
func skip(path string, ignore []string) bool {
	for _, ig := range ignore {
		if path == ig || strings.HasSuffix(path, "."+ig) {
			return true
		}
	}
	return false
}

func timeDiff(got, want time.Time) string {
	switch {
	case want.IsZero() && !got.IsZero():
		return fmt.Sprintf("got %s, want the zero time (a zero time must stay zero: store it as NULL or as the zero instant and give back time.Time{})", showTime(got))
	case want.IsZero():
		return ""
	case got.IsZero():
		return fmt.Sprintf("got the zero time, want %s", showTime(want))
	case !got.Equal(want):
		return fmt.Sprintf("got %s, want %s (off by %s; keep at least microsecond precision and convert to UTC before storing)",
			showTime(got), showTime(want), got.Sub(want))
	case got.Location() != time.UTC:
		return fmt.Sprintf("got %s in location %q, want the same instant in UTC (return t.UTC())", showTime(got), got.Location())
	}
	return ""
}

func showTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "<invalid>"
	}
	if s, ok := v.Interface().(fmt.Stringer); ok && v.Kind() != reflect.Slice {
		return fmt.Sprintf("%q", s.String())
	}
	if v.Kind() == reflect.String {
		return fmt.Sprintf("%q", v.String())
	}
	return fmt.Sprintf("%+v", v.Interface())
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var av, bv any
	if json.Unmarshal(a, &av) != nil || json.Unmarshal(b, &bv) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(av, bv)
}

func showJSON(m json.RawMessage) string {
	if len(m) == 0 {
		return "(empty)"
	}
	return string(m)
}

// checkSame fails the test when got differs from want under diff's rules.
func checkSame(t testing.TB, what string, got, want any, ignore ...string) {
	t.Helper()
	if d := diff(got, want, ignore...); len(d) > 0 {
		t.Fatalf("%s: the stored value does not round-trip:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

// checkPopulated fails when a fixture leaves an exported field at its zero
// value, so a field added to a domain type later cannot silently escape the
// round-trip tests. It is a check on the suite itself.
func checkPopulated(t testing.TB, v any, except ...string) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if !f.IsExported() || slices.Contains(except, f.Name) {
			continue
		}
		if rv.Field(i).IsZero() || (rv.Field(i).Kind() == reflect.Slice && rv.Field(i).Len() == 0) {
			t.Fatalf("storetest fixture bug: %s.%s is not set; update the fixture in storetest so every field is tested", rv.Type().Name(), f.Name)
		}
	}
}

// wantErr fails unless err matches sentinel with errors.Is.
func wantErr(t testing.TB, err, sentinel error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: got a nil error, want one matching %q (errors.Is)", what, sentinel)
	case !errors.Is(err, sentinel):
		t.Fatalf("%s: got error %q, which does not match %q with errors.Is; wrap the domain sentinel with %%w", what, err, sentinel)
	}
}

// noErr fails when err is not nil.
func noErr(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// ids returns the IDs of values, in order.
func ids[T any](vs []T, id func(T) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = id(v)
	}
	return out
}

// checkIDs fails unless got lists exactly want, in order.
func checkIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%s:\n\tgot  %d %v\n\twant %d %v%s", what, len(got), got, len(want), want, idHint(got, want))
	}
}

func idHint(got, want []string) string {
	var extra, missing []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	var b strings.Builder
	if len(extra) > 0 {
		fmt.Fprintf(&b, "\n\tunexpected: %v", extra)
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n\tmissing:    %v", missing)
	}
	if len(extra) == 0 && len(missing) == 0 {
		b.WriteString("\n\t(same elements, wrong order)")
	}
	// Duplicates are a classic join bug; name them.
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			fmt.Fprintf(&b, "\n\tduplicate:  %s (an item matched through several spots or lists must appear once)", g)
		}
		seen[g] = true
	}
	return b.String()
}
