package httpapi

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Governance: spot policies, approvals, archive and restore, the sweep,
// the compliance report, the audit log and the caller's notices. The
// governance service decides who may do what; these handlers only read
// the request. Action routes (approve, reject, archive, restore, sweep,
// revoke-editor) take a JSON object or no body at all; the fields they
// check (a rejection's reason, say) are then reported missing by name.

var errNoGovernance = &requestError{status: http.StatusServiceUnavailable, code: errcode.Unavailable,
	message: "governance is not configured"}

// Page sizes of GET /audit; notices take the same limits.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// governed wraps a handler that needs the governance service.
func (a *api) governed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.cfg.Governance == nil {
			return errNoGovernance
		}
		return h(w, r)
	}
}

// strictBool reads a parameter that must be exactly true or false when
// given.
func strictBool(q params, k string) (bool, error) {
	if !q.Has(k) {
		return false, nil
	}
	switch q.Get(k) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badRequest(k, "must be true or false")
}

// limitParam reads ?limit=, def when absent, refusing values outside 1 to
// max.
func limitParam(q params, def, max int) (int, error) {
	if !q.Has("limit") {
		return def, nil
	}
	n, err := q.int("limit")
	if err != nil {
		return 0, err
	}
	if n < 1 || n > max {
		return 0, badRequest("limit", "must be between 1 and "+strconv.Itoa(max))
	}
	return n, nil
}

// timeParam reads an RFC 3339 parameter, zero when absent.
func timeParam(q params, k string) (time.Time, error) {
	s := strings.TrimSpace(q.Get(k))
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badRequest(k, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	return t, nil
}

func (a *api) getPolicy(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r, nil, nil); err != nil {
		return err
	}
	p, err := a.cfg.Governance.Policy(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// putPolicy replaces a spot's policy: the body is the whole policy, and
// the fields it leaves out take their default values (as in
// governance.ParsePolicy). ?dry_run=true answers what the policy would do
// and changes nothing.
func (a *api) putPolicy(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, []string{"dry_run"}, nil)
	if err != nil {
		return err
	}
	dry, err := strictBool(q, "dry_run")
	if err != nil {
		return err
	}
	p := governance.DefaultPolicy()
	if err := a.decode(w, r, &p); err != nil {
		return err
	}
	ch, err := a.cfg.Governance.SetPolicy(r.Context(), r.PathValue("id"), p, dry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ch)
	return nil
}

// reasonBody is the body of the actions that take a reason.
type reasonBody struct {
	Reason string `json:"reason"`
}

func (a *api) approveItem(w http.ResponseWriter, r *http.Request) error {
	var in struct{}
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	it, err := a.cfg.Governance.Approve(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

// rejectItem sends an item in review back to draft: {"reason"} (required).
func (a *api) rejectItem(w http.ResponseWriter, r *http.Request) error {
	var in reasonBody
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	it, err := a.cfg.Governance.Reject(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

// listReviews answers the items waiting for the caller's approval, oldest
// submission first, in one page.
func (a *api) listReviews(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r, nil, nil); err != nil {
		return err
	}
	its, err := a.cfg.Governance.Pending(r.Context())
	if err != nil {
		return err
	}
	for i := range its {
		its[i] = itemOut(its[i])
	}
	writeJSON(w, http.StatusOK, list(its, ""))
	return nil
}

// archiveItem archives an item: {"reason"} (optional).
func (a *api) archiveItem(w http.ResponseWriter, r *http.Request) error {
	var in reasonBody
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	it, err := a.cfg.Governance.Archive(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

// restoreBody is the body of POST /items/{id}/restore.
type restoreBody struct {
	// ExpiresAt is the new expiry date; left out, the item keeps its own
	// (which must then be in the future, or absent).
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *api) restoreItem(w http.ResponseWriter, r *http.Request) error {
	var in restoreBody
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	it, err := a.cfg.Governance.Restore(r.Context(), r.PathValue("id"), in.ExpiresAt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemOut(it))
	return nil
}

// sweep runs the governance sweep at Config.Now (admins; the service
// checks) and answers what it did.
func (a *api) sweep(w http.ResponseWriter, r *http.Request) error {
	var in struct{}
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	res, err := a.cfg.Governance.Sweep(r.Context(), a.cfg.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// complianceRow is one line of the compliance report's CSV: one item in
// one of its spot's lists.
type complianceRow struct {
	SpotID    string       `json:"spot_id"`
	SpotName  string       `json:"spot_name"`
	Category  string       `json:"category"`
	ItemID    string       `json:"item_id"`
	Title     string       `json:"title"`
	Status    items.Status `json:"status"`
	ExpiresAt time.Time    `json:"expires_at"`
	VerifyBy  time.Time    `json:"verify_by"`
	// Fields are a violating item's missing properties, "field: problem"
	// joined with "; ".
	Fields string `json:"fields"`
}

// complianceRows flattens a report into its CSV rows, spot by spot, in
// the order of the JSON lists.
func complianceRows(rep governance.Report) []complianceRow {
	rows := []complianceRow{}
	for _, sr := range rep.Spots {
		for _, c := range []struct {
			name string
			list []governance.ReportItem
		}{
			{"violating", sr.Violating},
			{"expiring_soon", sr.ExpiringSoon},
			{"expired", sr.Expired},
			{"unverified", sr.Unverified},
			{"in_review", sr.InReview},
			{"never_viewed", sr.NeverViewed},
		} {
			for _, it := range c.list {
				var fields []string
				for _, k := range slices.Sorted(maps.Keys(it.Fields)) {
					fields = append(fields, k+": "+it.Fields[k])
				}
				rows = append(rows, complianceRow{SpotID: sr.SpotID, SpotName: sr.SpotName, Category: c.name,
					ItemID: it.ItemID, Title: it.Title, Status: it.Status, ExpiresAt: it.ExpiresAt,
					VerifyBy: it.VerifyBy, Fields: strings.Join(fields, "; ")})
			}
		}
	}
	return rows
}

// complianceReport answers the compliance report: ?spot= (one spot; every
// spot the caller may report on by default) and format (json or csv; CSV
// has one row per listed item, text defused as analytics.WriteCSV does).
func (a *api) complianceReport(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, []string{"spot", "format"}, nil)
	if err != nil {
		return err
	}
	csv, err := formatParam(q)
	if err != nil {
		return err
	}
	rep, err := a.cfg.Governance.Report(r.Context(), strings.TrimSpace(q.Get("spot")))
	if err != nil {
		return err
	}
	if csv {
		return writeCSV(w, "compliance-"+rep.GeneratedAt.UTC().Format(time.DateOnly)+".csv", complianceRows(rep), "")
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// listAudit pages through the audit log, oldest first:
// ?actor=&target_kind=&target_id=&spot=&since=&until=&cursor=&limit=
// (spot repeats; since and until are RFC 3339, until exclusive; limit 1 to
// 1000, 100 by default). A full page's next_cursor is its last entry's
// seq.
func (a *api) listAudit(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, []string{"actor", "target_kind", "target_id", "since", "until", "cursor", "limit"},
		[]string{"spot"})
	if err != nil {
		return err
	}
	f := audit.Filter{
		Actor:      strings.TrimSpace(q.Get("actor")),
		TargetKind: strings.TrimSpace(q.Get("target_kind")),
		TargetID:   strings.TrimSpace(q.Get("target_id")),
		SpotIDs:    q.values("spot"),
	}
	if f.Limit, err = limitParam(q, defaultAuditLimit, maxAuditLimit); err != nil {
		return err
	}
	if f.Since, err = timeParam(q, "since"); err != nil {
		return err
	}
	if f.Until, err = timeParam(q, "until"); err != nil {
		return err
	}
	if s := strings.TrimSpace(q.Get("cursor")); s != "" {
		if f.AfterSeq, err = strconv.ParseInt(s, 10, 64); err != nil || f.AfterSeq < 0 {
			return badRequest("cursor", "must be the next_cursor of the previous page")
		}
	}
	es, err := a.cfg.Governance.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(es) == f.Limit {
		next = strconv.FormatInt(es[len(es)-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, list(es, next))
	return nil
}

// listNotices pages through the caller's own notices, newest first:
// ?unsent=true|false (only those not delivered yet) &item= &cursor=
// &limit= (1 to 1000, 1000 by default). A full page's next_cursor is its
// last notice's ID; a cursor that names no notice gives an empty page.
func (a *api) listNotices(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r, []string{"unsent", "item", "cursor", "limit"}, nil)
	if err != nil {
		return err
	}
	p, err := spots.PrincipalFrom(r.Context())
	if err != nil {
		return err
	}
	f := governance.NoticeFilter{Recipient: p.ID, ItemID: strings.TrimSpace(q.Get("item")),
		Before: strings.TrimSpace(q.Get("cursor"))}
	if f.Unsent, err = strictBool(q, "unsent"); err != nil {
		return err
	}
	if f.Limit, err = limitParam(q, maxAuditLimit, maxAuditLimit); err != nil {
		return err
	}
	ns, err := a.cfg.Governance.Notices(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(ns) == f.Limit {
		next = ns[len(ns)-1].ID
	}
	writeJSON(w, http.StatusOK, list(ns, next))
	return nil
}

// revokeEditor takes a user's editor rights away (admins): {"reason"}
// (required).
func (a *api) revokeEditor(w http.ResponseWriter, r *http.Request) error {
	var in reasonBody
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	p, err := a.cfg.Governance.RevokeEditorRights(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, principalOut(p))
	return nil
}
