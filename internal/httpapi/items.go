package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/items"
)

func (a *api) createItem(w http.ResponseWriter, r *http.Request) error {
	var in items.NewItem
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	it, err := a.cfg.Items.Create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, itemOut(it))
	return nil
}

// listItems answers one page of the items the caller may view:
// ?spot=&list=&status=&kind=&audience=&cursor=&limit= (list, status and
// kind repeat).
func (a *api) listItems(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, []string{"spot", "audience", "cursor", "limit"}, []string{"list", "status", "kind"})
	if err != nil {
		return err
	}
	limit, err := q.int("limit")
	if err != nil {
		return err
	}
	query := items.Query{
		SpotID:   q.Get("spot"),
		ListIDs:  q.values("list"),
		Audience: items.Audience(q.Get("audience")),
		Cursor:   q.Get("cursor"),
		Limit:    limit,
	}
	for _, s := range q.values("status") {
		query.Statuses = append(query.Statuses, items.Status(s))
	}
	for _, k := range q.values("kind") {
		query.Kinds = append(query.Kinds, items.Kind(k))
	}
	if q.Has("limit") && limit == 0 {
		return badRequest("limit", "must be between 1 and 500")
	}
	page, err := a.cfg.Items.List(r.Context(), query)
	if err != nil {
		return err
	}
	for i := range page.Items {
		page.Items[i] = itemOut(page.Items[i])
	}
	writeJSON(w, http.StatusOK, list(page.Items, page.NextCursor))
	return nil
}

func (a *api) getItem(w http.ResponseWriter, r *http.Request) error {
	it, err := a.cfg.Items.View(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

func (a *api) updateItem(w http.ResponseWriter, r *http.Request) error {
	var patch items.ItemPatch
	if err := a.decode(w, r, &patch); err != nil {
		return err
	}
	it, err := a.cfg.Items.Update(r.Context(), r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

func (a *api) deleteItem(w http.ResponseWriter, r *http.Request) error {
	if err := a.cfg.Items.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	noContent(w)
	return nil
}

func (a *api) listVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := a.cfg.Items.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(vs, ""))
	return nil
}

// verifyItem confirms an item is still accurate; it takes no body, or {}.
func (a *api) verifyItem(w http.ResponseWriter, r *http.Request) error {
	var in struct{}
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	it, err := a.cfg.Items.Verify(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

func (a *api) putPlacement(w http.ResponseWriter, r *http.Request) error {
	it, err := a.cfg.Items.Place(r.Context(), r.PathValue("id"), r.PathValue("spotID"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

func (a *api) deletePlacement(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.cfg.Items.Unplace(r.Context(), r.PathValue("id"), r.PathValue("spotID")); err != nil {
		return err
	}
	noContent(w)
	return nil
}
