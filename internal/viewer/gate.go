package viewer

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/share"
)

// gateView is the state of the gate page.
type gateView struct {
	share.Gates
	// Step is the form shown: email, code or passcode.
	Step string
	// Email is the address a code was sent to (the code step).
	Email string
	// Notice is a message about the last attempt.
	Notice    string
	EmailURL  string
	CodeURL   string
	PassURL   string
	LinkURL   string
	AllowSend bool
}

// maxFormBody caps a gate form.
const maxFormBody = 16 << 10

// gatePage shows the form for the next gate of the link. A dead link gets
// its refusal page instead.
func (h *handler) gatePage(w http.ResponseWriter, r *http.Request, gv gateView, status int) {
	token := r.PathValue("token")
	g, err := h.shares.Gate(r.Context(), token, session(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	gv.Gates = g
	if gv.Step == "" {
		switch {
		case g.Email && !g.EmailVerified:
			gv.Step = "email"
		case g.Passcode:
			gv.Step = "passcode"
		default:
			// The gates were passed in the meantime.
			http.Redirect(w, r, linkPath(token), http.StatusSeeOther)
			return
		}
	}
	p := linkPath(token)
	gv.EmailURL, gv.CodeURL, gv.PassURL, gv.LinkURL = p+"/gate/email", p+"/gate/code", p+"/gate/passcode", p
	d := pageData{base: h.base(r, nil), Gate: gv, ShareTitle: g.ShareTitle, Status: status}
	d.PageTitle = g.ShareTitle
	h.render(w, r, status, "gate.html", d)
}

// form checks that a gate form comes from the viewer's own pages and reads
// it. It answers the request itself and returns false when it does not.
func (h *handler) form(w http.ResponseWriter, r *http.Request) bool {
	if err := h.cop.Check(r); err != nil {
		h.errorPage(w, r, http.StatusForbidden, problem{"Not allowed", "This form must be sent from the page it is on."})
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, problem{"Invalid request", "The form could not be read."})
		return false
	}
	return true
}

// setSession hands the browser the session that passed a gate, scoped to
// the link.
func (h *handler) setSession(w http.ResponseWriter, r *http.Request, value string, ss share.Session) {
	c := &http.Cookie{Name: cookieName, Value: value, Path: linkPath(r.PathValue("token")), HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || strings.HasPrefix(h.cfg.PublicURL, "https:")}
	if !ss.ExpiresAt.IsZero() {
		c.Expires = ss.ExpiresAt
		c.MaxAge = max(1, int(time.Until(ss.ExpiresAt).Seconds()))
	}
	http.SetCookie(w, c)
}

// gateEmail sends a one-time code to the address typed in.
func (h *handler) gateEmail(w http.ResponseWriter, r *http.Request) {
	if !h.form(w, r) {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	err := h.shares.StartEmailGate(r.Context(), r.PathValue("token"), email)
	switch {
	case err == nil:
		h.gatePage(w, r, gateView{Step: "code", Email: email,
			Notice: "We sent a code to " + email + ". It is valid for 10 minutes."}, http.StatusOK)
	case errors.Is(err, share.ErrTooManyAttempts):
		h.gatePage(w, r, gateView{Step: "code", Email: email,
			Notice: "A code was sent to " + email + " moments ago. Use it, or ask for a new one in a minute."}, http.StatusTooManyRequests)
	case errors.Is(err, share.ErrRefused):
		h.gatePage(w, r, gateView{Step: "email", Email: email,
			Notice: "This content was not shared with " + email + "."}, http.StatusForbidden)
	case errors.Is(err, share.ErrInvalid):
		h.gatePage(w, r, gateView{Step: "email", Email: email, Notice: "Please enter a valid e-mail address."},
			http.StatusBadRequest)
	default:
		h.fail(w, r, err)
	}
}

// gateCode checks a one-time code; passing it sets the session.
func (h *handler) gateCode(w http.ResponseWriter, r *http.Request) {
	if !h.form(w, r) {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	value, ss, err := h.shares.VerifyEmail(r.Context(), r.PathValue("token"), email, r.PostFormValue("code"), session(r))
	switch {
	case err == nil:
		h.setSession(w, r, value, ss)
		http.Redirect(w, r, linkPath(r.PathValue("token")), http.StatusSeeOther)
	case errors.Is(err, share.ErrWrongCode):
		h.gatePage(w, r, gateView{Step: "code", Email: email, AllowSend: true,
			Notice: "That code is wrong or has expired. Check it, or ask for a new one."}, http.StatusUnauthorized)
	case errors.Is(err, share.ErrRefused):
		h.gatePage(w, r, gateView{Step: "email", Email: email,
			Notice: "This content was not shared with " + email + "."}, http.StatusForbidden)
	default:
		h.fail(w, r, err)
	}
}

// gatePasscode checks the passcode; passing it sets the session.
func (h *handler) gatePasscode(w http.ResponseWriter, r *http.Request) {
	if !h.form(w, r) {
		return
	}
	value, ss, err := h.shares.VerifyPasscode(r.Context(), r.PathValue("token"), r.PostFormValue("passcode"), session(r))
	switch {
	case err == nil:
		h.setSession(w, r, value, ss)
		http.Redirect(w, r, linkPath(r.PathValue("token")), http.StatusSeeOther)
	case errors.Is(err, share.ErrWrongCode):
		h.gatePage(w, r, gateView{Step: "passcode", Notice: "That passcode is wrong."}, http.StatusUnauthorized)
	case errors.Is(err, share.ErrTooManyAttempts):
		h.gatePage(w, r, gateView{Step: "passcode",
			Notice: "Too many wrong passcodes. The link accepts passcodes again in a few minutes."}, http.StatusTooManyRequests)
	default:
		h.fail(w, r, err)
	}
}
