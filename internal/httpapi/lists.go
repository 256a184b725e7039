package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/items"
)

type listGroupBody struct {
	Name string `json:"name"`
}

func (a *api) createListGroup(w http.ResponseWriter, r *http.Request) error {
	var in listGroupBody
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	g, err := a.cfg.Items.CreateListGroup(r.Context(), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

// listListGroups answers every list group with its lists.
func (a *api) listListGroups(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r, nil, nil); err != nil {
		return err
	}
	groups, err := a.cfg.Items.ListGroups(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(groups, ""))
	return nil
}

type listBodyIn struct {
	Name    string `json:"name"`
	GroupID string `json:"group_id"`
}

func (a *api) createList(w http.ResponseWriter, r *http.Request) error {
	var in listBodyIn
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	l, err := a.cfg.Items.CreateList(r.Context(), in.GroupID, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (a *api) updateList(w http.ResponseWriter, r *http.Request) error {
	var patch items.ListPatch
	if err := a.decode(w, r, &patch); err != nil {
		return err
	}
	l, err := a.cfg.Items.UpdateList(r.Context(), r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (a *api) deleteList(w http.ResponseWriter, r *http.Request) error {
	if err := a.cfg.Items.DeleteList(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// putListItem files an item into a list and answers the item.
func (a *api) putListItem(w http.ResponseWriter, r *http.Request) error {
	it, err := a.cfg.Items.AddToList(r.Context(), r.PathValue("id"), r.PathValue("itemID"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

func (a *api) deleteListItem(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.cfg.Items.RemoveFromList(r.Context(), r.PathValue("id"), r.PathValue("itemID")); err != nil {
		return err
	}
	noContent(w)
	return nil
}
