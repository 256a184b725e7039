package viewer

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/share"
)

// beaconRequest is the body of POST /p/{token}/beacon.
type beaconRequest struct {
	// Token is the beacon token the page was given (or the last answer's).
	Token   string         `json:"token"`
	Beacons []share.Beacon `json:"beacons"`
}

// beacon records the page's engagement beacons. It answers JSON: the
// share.BeaconResult, or {"error": {"code", "message"}}. It does not call
// Resolve: share.Service.Beacon checks the link (revoked, expired), the
// view it is bound to and every item inside the transaction that commits
// the beacons, and its token, issued when the view opened behind the gate,
// stands for the gate; beacons are the hottest route and serve no content.
func (h *handler) beacon(w http.ResponseWriter, r *http.Request) {
	switch mediaType(r.Header.Get("Content-Type")) {
	case "application/json", "text/plain": // text/plain: navigator.sendBeacon with a string
	default:
		writeJSONError(w, http.StatusUnsupportedMediaType, errcode.Invalid, "Content-Type must be application/json or text/plain")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBeaconBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeJSONError(w, http.StatusRequestEntityTooLarge, errcode.Invalid, "the body is larger than 64 KiB")
		return
	case err != nil:
		writeJSONError(w, http.StatusBadRequest, errcode.Invalid, "the body could not be read")
		return
	}
	var req beaconRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSONError(w, http.StatusBadRequest, errcode.Invalid, "the body is not a beacon request: "+jsonProblem(err))
		return
	}
	res, err := h.shares.Beacon(r.Context(), r.PathValue("token"), req.Token, req.Beacons)
	if err != nil {
		h.jsonFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field + " must be " + te.Type.String()
	}
	return "malformed JSON"
}

func (h *handler) jsonFail(w http.ResponseWriter, r *http.Request, err error) {
	status, code, p := h.describe(r, err)
	writeJSONError(w, status, code, p.Message)
}

func writeJSONError(w http.ResponseWriter, status int, code errcode.Code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
