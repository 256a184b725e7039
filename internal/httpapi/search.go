package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
)

// searchBody is the answer of GET /search.
type searchBody struct {
	Total      int                            `json:"total"`
	Relaxed    bool                           `json:"relaxed"`
	Hits       []search.Hit                   `json:"hits"`
	Facets     map[string][]search.FacetValue `json:"facets"`
	NextCursor string                         `json:"next_cursor,omitempty"`
}

func (a *api) search(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Search == nil {
		return errNoSearch
	}
	q, err := queryParams(r, []string{"q", "audience", "sort", "limit", "cursor"}, []string{"spot", "list", "type", "status"})
	if err != nil {
		return err
	}
	limit, err := q.int("limit")
	if err != nil {
		return err
	}
	if q.Has("limit") && limit == 0 {
		return badRequest("limit", "must be between 1 and 100")
	}
	req := search.Request{
		Query:    q.Get("q"),
		SpotIDs:  q.values("spot"),
		ListIDs:  q.values("list"),
		Audience: items.Audience(q.Get("audience")),
		Sort:     search.Sort(q.Get("sort")),
		Limit:    limit,
		Cursor:   q.Get("cursor"),
	}
	for _, k := range q.values("type") {
		req.Kinds = append(req.Kinds, items.Kind(k))
	}
	for _, s := range q.values("status") {
		req.Statuses = append(req.Statuses, items.Status(s))
	}
	res, err := a.cfg.Search.Search(r.Context(), req)
	if err != nil {
		return err
	}
	body := searchBody{Total: res.Total, Relaxed: res.Relaxed, Hits: res.Hits, Facets: res.Facets, NextCursor: res.NextCursor}
	if body.Hits == nil {
		body.Hits = []search.Hit{}
	}
	for i := range body.Hits {
		body.Hits[i].Item = itemOut(body.Hits[i].Item)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (a *api) explainSearch(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Search == nil {
		return errNoSearch
	}
	q, err := queryParams(r, []string{"q", "item"}, nil)
	if err != nil {
		return err
	}
	if q.Get("item") == "" {
		return badRequest("item", "required")
	}
	ex, err := a.cfg.Search.Explain(r.Context(), q.Get("q"), q.Get("item"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ex)
	return nil
}

// reindexBody is the answer of POST /search/reindex.
type reindexBody struct {
	Indexed int `json:"indexed"`
}

func (a *api) reindex(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Reindex == nil {
		return errNoSearch
	}
	n, err := a.cfg.Reindex(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reindexBody{Indexed: n})
	return nil
}
