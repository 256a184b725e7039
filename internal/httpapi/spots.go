package httpapi

import (
	"net/http"

	"github.com/briefcasehq/briefcase/spots"
)

func (a *api) createSpot(w http.ResponseWriter, r *http.Request) error {
	var in spots.NewSpot
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	spot, err := a.cfg.Spots.Create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, spot)
	return nil
}

// listSpots answers every spot the caller may view, with its role there.
func (a *api) listSpots(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r, nil, nil); err != nil {
		return err
	}
	vs, err := a.cfg.Spots.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(vs, ""))
	return nil
}

func (a *api) getSpot(w http.ResponseWriter, r *http.Request) error {
	spot, err := a.cfg.Spots.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, spot)
	return nil
}

func (a *api) updateSpot(w http.ResponseWriter, r *http.Request) error {
	var patch spots.SpotPatch
	if err := a.decode(w, r, &patch); err != nil {
		return err
	}
	spot, err := a.cfg.Spots.Update(r.Context(), r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, spot)
	return nil
}

func (a *api) deleteSpot(w http.ResponseWriter, r *http.Request) error {
	if err := a.cfg.Spots.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	noContent(w)
	return nil
}

func (a *api) listMembers(w http.ResponseWriter, r *http.Request) error {
	grants, err := a.cfg.Spots.Members(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(grants, ""))
	return nil
}

// memberBody is the body of PUT /spots/{id}/members/{subject}.
type memberBody struct {
	Role spots.Role `json:"role"`
}

// putMember grants a role to the subject in the path: "user:alice",
// "group:sales" or a bare user ID.
func (a *api) putMember(w http.ResponseWriter, r *http.Request) error {
	subject, err := spots.ParseSubject(r.PathValue("subject"))
	if err != nil {
		return err
	}
	var in memberBody
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	g, err := a.cfg.Spots.Grant(r.Context(), r.PathValue("id"), subject, in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (a *api) deleteMember(w http.ResponseWriter, r *http.Request) error {
	subject, err := spots.ParseSubject(r.PathValue("subject"))
	if err != nil {
		return err
	}
	if err := a.cfg.Spots.Revoke(r.Context(), r.PathValue("id"), subject); err != nil {
		return err
	}
	noContent(w)
	return nil
}
