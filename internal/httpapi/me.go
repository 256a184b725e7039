package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// meBody is the caller with the ID of its personal spot.
type meBody struct {
	spots.Principal
	PersonalSpotID string `json:"personal_spot_id"`
}

// getMe answers the caller, making its personal spot on first use.
func (a *api) getMe(w http.ResponseWriter, r *http.Request) error {
	p, err := spots.PrincipalFrom(r.Context())
	if err != nil {
		return err
	}
	spot, err := a.cfg.Spots.PersonalSpot(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meBody{Principal: principalOut(p), PersonalSpotID: spot.ID})
	return nil
}

func (a *api) listBookmarks(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r, nil, nil); err != nil {
		return err
	}
	bs, err := a.cfg.Items.Bookmarks(r.Context())
	if err != nil {
		return err
	}
	for i := range bs {
		bs[i].Item = itemOut(bs[i].Item)
	}
	writeJSON(w, http.StatusOK, list(bs, ""))
	return nil
}

func (a *api) putBookmark(w http.ResponseWriter, r *http.Request) error {
	b, err := a.cfg.Items.Bookmark(r.Context(), r.PathValue("itemID"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (a *api) deleteBookmark(w http.ResponseWriter, r *http.Request) error {
	if err := a.cfg.Items.Unbookmark(r.Context(), r.PathValue("itemID")); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// principalOut and itemOut answer empty lists as [] rather than null.
func principalOut(p spots.Principal) spots.Principal {
	p.Groups = orEmpty(p.Groups)
	p.Roles = orEmpty(p.Roles)
	p.Trainings = orEmpty(p.Trainings)
	return p
}

func itemOut(it items.Item) items.Item {
	it.Placements = orEmpty(it.Placements)
	it.Owners = orEmpty(it.Owners)
	it.Labels = orEmpty(it.Labels)
	it.ListIDs = orEmpty(it.ListIDs)
	it.PromotedKeywords = orEmpty(it.PromotedKeywords)
	return it
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
