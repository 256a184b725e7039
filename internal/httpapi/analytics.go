package httpapi

import (
	"bytes"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/errcode"
)

// Analytics: an item's numbers, trending and popular, and the reports.
//
// Every report route takes from and to (YYYY-MM-DD, UTC days, both
// included; the last 30 days by default; at most 2 years), include_bots
// (false by default), limit (1 to 5000; 100 for JSON, 5000 for CSV by
// default), cursor (the next_cursor of the previous page), spot (repeat
// for several; not on search-gaps and sellers, which are not per spot)
// and format (json, the default, or csv). JSON answers are
// {"from", "to", "include_bots", "items": [...], "next_cursor"}. CSV
// answers are the rows alone (RFC 4180, a header of the JSON names, text
// cells defused against formula injection: see analytics.WriteCSV), with
// the next page's cursor in X-Next-Cursor.
//
// The influence report has its own parameters (see influenceReport) and
// is not paged.

var errNoAnalytics = &requestError{status: http.StatusServiceUnavailable, code: errcode.Unavailable,
	message: "analytics is not configured"}

var errNoInfluence = &requestError{status: http.StatusServiceUnavailable, code: errcode.Unavailable,
	message: "influenced revenue needs a CRM, and none is configured"}

// reportParams are the parameters every report route takes.
var reportParams = []string{"from", "to", "include_bots", "limit", "cursor", "format"}

// reportRequest reads the common report parameters; extra names the
// route's own single-valued parameters and repeatable its repeatable
// ones.
func (a *api) reportRequest(r *http.Request, extra, repeatable []string) (params, analytics.ReportQuery, bool, error) {
	if a.cfg.Analytics == nil {
		return params{}, analytics.ReportQuery{}, false, errNoAnalytics
	}
	q, err := queryParams(r, append(append([]string{}, reportParams...), extra...), repeatable)
	if err != nil {
		return params{}, analytics.ReportQuery{}, false, err
	}
	csv, err := formatParam(q)
	if err != nil {
		return params{}, analytics.ReportQuery{}, false, err
	}
	bots, err := boolParam(q, "include_bots")
	if err != nil {
		return params{}, analytics.ReportQuery{}, false, err
	}
	limit, err := q.int("limit")
	if err != nil {
		return params{}, analytics.ReportQuery{}, false, err
	}
	switch {
	case q.Has("limit") && (limit < 1 || limit > analytics.MaxReportLimit):
		return params{}, analytics.ReportQuery{}, false,
			badRequest("limit", "must be between 1 and "+strconv.Itoa(analytics.MaxReportLimit))
	case !q.Has("limit") && csv:
		limit = analytics.MaxReportLimit
	}
	rq := analytics.ReportQuery{
		From:        analytics.Day(strings.TrimSpace(q.Get("from"))),
		To:          analytics.Day(strings.TrimSpace(q.Get("to"))),
		SpotIDs:     q.values("spot"),
		IncludeBots: bots,
		Limit:       limit,
		Cursor:      q.Get("cursor"),
	}
	return q, rq, csv, nil
}

// formatParam reports whether ?format asks for CSV.
func formatParam(q params) (bool, error) {
	switch q.Get("format") {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, badRequest("format", "must be json or csv")
}

// writeReport answers a report as JSON, or its rows as CSV in a file
// named after the report and its range.
func writeReport[T any](w http.ResponseWriter, csv bool, name string, rep analytics.Report[T]) error {
	if !csv {
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	return writeCSV(w, name+"-"+string(rep.From)+"-to-"+string(rep.To)+".csv", rep.Items, rep.NextCursor)
}

// writeCSV answers rows as a CSV attachment.
func writeCSV[T any](w http.ResponseWriter, filename string, rows []T, next string) error {
	var buf bytes.Buffer
	if err := analytics.WriteCSV(&buf, rows); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if next != "" {
		h.Set("X-Next-Cursor", next)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// itemAnalytics answers an item's numbers over the range, in total and per
// day (CSV: one row per day), for anyone who may view the item:
// ?from=&to=&include_bots=&format=.
func (a *api) itemAnalytics(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Analytics == nil {
		return errNoAnalytics
	}
	q, err := queryParams(r, []string{"from", "to", "include_bots", "format"}, nil)
	if err != nil {
		return err
	}
	csv, err := formatParam(q)
	if err != nil {
		return err
	}
	bots, err := boolParam(q, "include_bots")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	rep, err := a.cfg.Analytics.ItemReport(r.Context(), id, analytics.Day(strings.TrimSpace(q.Get("from"))),
		analytics.Day(strings.TrimSpace(q.Get("to"))), bots)
	if err != nil {
		return err
	}
	if csv {
		return writeCSV(w, "item-"+id+"-"+string(rep.From)+"-to-"+string(rep.To)+".csv", rep.Days, "")
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// eraseRecipient deletes everything analytics recorded about one buyer's
// address (admins): a privacy request. It answers how many records went.
func (a *api) eraseRecipient(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Analytics == nil {
		return errNoAnalytics
	}
	email := strings.TrimSpace(r.PathValue("email"))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return errcode.Invalidf(analytics.ErrInvalid, "email", "must be an e-mail address")
	}
	n, err := a.cfg.Analytics.EraseRecipient(r.Context(), email)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"email": strings.ToLower(email), "deleted": n})
	return nil
}

// ranked answers trending or popular items the caller may view:
// ?spot=&limit= (1 to 100, 20 by default).
func (a *api) ranked(popular bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.cfg.Analytics == nil {
			return errNoAnalytics
		}
		q, err := queryParams(r, []string{"spot", "limit"}, nil)
		if err != nil {
			return err
		}
		limit, err := q.int("limit")
		if err != nil {
			return err
		}
		if q.Has("limit") && (limit < 1 || limit > 100) {
			return badRequest("limit", "must be between 1 and 100")
		}
		get := a.cfg.Analytics.Trending
		if popular {
			get = a.cfg.Analytics.Popular
		}
		rs, err := get(r.Context(), strings.TrimSpace(q.Get("spot")), limit)
		if err != nil {
			return err
		}
		for i := range rs {
			rs[i].Item = itemOut(rs[i].Item)
		}
		writeJSON(w, http.StatusOK, list(rs, ""))
		return nil
	}
}

func (a *api) contentReport(w http.ResponseWriter, r *http.Request) error {
	_, rq, csv, err := a.reportRequest(r, nil, []string{"spot"})
	if err != nil {
		return err
	}
	rep, err := a.cfg.Analytics.ContentReport(r.Context(), rq)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "content", rep)
}

func (a *api) spotReport(w http.ResponseWriter, r *http.Request) error {
	_, rq, csv, err := a.reportRequest(r, nil, []string{"spot"})
	if err != nil {
		return err
	}
	rep, err := a.cfg.Analytics.SpotReport(r.Context(), rq)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "spots", rep)
}

func (a *api) unusedReport(w http.ResponseWriter, r *http.Request) error {
	_, rq, csv, err := a.reportRequest(r, nil, []string{"spot"})
	if err != nil {
		return err
	}
	rep, err := a.cfg.Analytics.UnusedReport(r.Context(), rq)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "unused", rep)
}

// searchGapReport takes max_hits (a number, 0 or more; 0 by default:
// queries that never found anything) and no spot.
func (a *api) searchGapReport(w http.ResponseWriter, r *http.Request) error {
	q, rq, csv, err := a.reportRequest(r, []string{"max_hits"}, nil)
	if err != nil {
		return err
	}
	gq := analytics.SearchGapQuery{ReportQuery: rq}
	if s := strings.TrimSpace(q.Get("max_hits")); s != "" {
		if gq.MaxHits, err = strconv.ParseFloat(s, 64); err != nil {
			return badRequest("max_hits", "must be a number, 0 or more")
		}
	}
	rep, err := a.cfg.Analytics.SearchGapReport(r.Context(), gq)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "search-gaps", rep)
}

// sellerReport takes no spot.
func (a *api) sellerReport(w http.ResponseWriter, r *http.Request) error {
	_, rq, csv, err := a.reportRequest(r, nil, nil)
	if err != nil {
		return err
	}
	rep, err := a.cfg.Analytics.SellerReport(r.Context(), rq)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "sellers", rep)
}

// pitchReport takes by (recipient, the default, item or page) and share
// (repeat for several); spot only with by=item or by=page.
func (a *api) pitchReport(w http.ResponseWriter, r *http.Request) error {
	q, rq, csv, err := a.reportRequest(r, []string{"by"}, []string{"spot", "share"})
	if err != nil {
		return err
	}
	pq := analytics.PitchQuery{ReportQuery: rq, ShareIDs: q.values("share")}
	if a.cfg.Shares != nil {
		pq.Shares = a.cfg.Shares
	}
	ctx := r.Context()
	switch analytics.PitchGrouping(q.Get("by")) {
	case "", analytics.ByRecipient:
		rep, err := a.cfg.Analytics.PitchRecipients(ctx, pq)
		if err != nil {
			return err
		}
		return writeReport(w, csv, "pitches-by-recipient", rep)
	case analytics.ByItem:
		rep, err := a.cfg.Analytics.PitchItems(ctx, pq)
		if err != nil {
			return err
		}
		return writeReport(w, csv, "pitches-by-item", rep)
	case analytics.ByPage:
		rep, err := a.cfg.Analytics.PitchPages(ctx, pq)
		if err != nil {
			return err
		}
		return writeReport(w, csv, "pitches-by-page", rep)
	}
	return badRequest("by", "must be recipient, item or page")
}

// influenceReport answers the influenced revenue of the opportunities that
// closed in a range: ?from=&to= (close dates; the last 90 days by
// default), state (won by default, closed, lost, open or any), model
// (even, first, last or time_decay), half_life_days, spot (repeat for
// several) and format. CSV answers hold every line (totals, items, spots,
// sellers; the dimension column says which), without the opportunities
// that explain them.
func (a *api) influenceReport(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Influence == nil {
		return errNoInfluence
	}
	q, err := queryParams(r, []string{"from", "to", "state", "model", "half_life_days", "format"}, []string{"spot"})
	if err != nil {
		return err
	}
	csv, err := formatParam(q)
	if err != nil {
		return err
	}
	iq, err := analytics.ParseInfluenceQuery(q.Values)
	if err != nil {
		return err
	}
	iq.SpotIDs = q.values("spot")
	rep, err := a.cfg.Influence.Influence(r.Context(), iq)
	if err != nil {
		return err
	}
	if csv {
		return writeCSV(w, "influence-"+string(rep.From)+"-to-"+string(rep.To)+".csv", rep.Rows(), "")
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
