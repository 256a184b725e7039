package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/briefcasehq/briefcase/errcode"
)

// params are a request's validated query parameters.
type params struct{ url.Values }

// queryParams parses the query string, refusing malformed escapes, unknown
// parameters and repeats of the parameters that take one value.
func queryParams(r *http.Request, single, repeatable []string) (params, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return params{}, badRequest("query", "malformed query string")
	}
	var f errcode.Fields
	for _, k := range slices.Sorted(maps.Keys(v)) {
		switch {
		case slices.Contains(repeatable, k):
		case slices.Contains(single, k):
			if len(v[k]) > 1 {
				f.Add(k, "must be given at most once")
			}
		default:
			f.Add(k, "unknown query parameter; known: %s", strings.Join(append(slices.Clone(single), repeatable...), ", "))
		}
	}
	if err := fieldsErr(f); err != nil {
		return params{}, err
	}
	return params{v}, nil
}

// values returns every non-empty value of a repeatable parameter.
func (p params) values(k string) []string {
	var out []string
	for _, s := range p.Values[k] {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// int returns a whole-number parameter, 0 when absent.
func (p params) int(k string) (int, error) {
	s := strings.TrimSpace(p.Get(k))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest(k, "must be a whole number")
	}
	return n, nil
}

// fieldsErr turns collected field problems into a 400.
func fieldsErr(f errcode.Fields) error {
	if len(f) == 0 {
		return nil
	}
	parts := make([]string, 0, len(f))
	for _, k := range slices.Sorted(maps.Keys(f)) {
		parts = append(parts, k+": "+f[k])
	}
	return &requestError{status: http.StatusBadRequest, code: errcode.Invalid,
		message: "invalid input: " + strings.Join(parts, "; "), fields: map[string]string(f)}
}
