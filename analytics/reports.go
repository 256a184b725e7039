package analytics

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
)

// Report limits.
const (
	// DefaultReportLimit is the page size when ReportQuery.Limit is zero.
	DefaultReportLimit = 100
	// MaxReportLimit is the largest page.
	MaxReportLimit = 5000
	// DefaultReportDays is how many days a range covers when From is not
	// given.
	DefaultReportDays = 30
)

// ReportQuery selects what a report covers: ContentReport, SpotReport,
// UnusedReport, SearchGapReport (SearchGapQuery), PitchRecipients,
// PitchItems and PitchPages (PitchQuery), SellerReport; ItemReport takes
// its range alone.
//
// Every report covers a range of UTC days, both ends included (the last 30
// days ending today by default, less than two years), leaves suspected
// bots out unless IncludeBots is set, and pages with Limit and Cursor
// (rows are worked out whole and sorted, then cut, so pages of one range
// do not overlap while no new events arrive).
//
// Who sees what (it fails closed, and a refusal never depends on whether a
// spot exists or holds anything):
//   - analysts and admins (and the system principal) see every report,
//     over every spot;
//   - owners and coowners of a spot (by grant to them or to a group, as
//     spots.Evaluate decides roles; not of a personal spot) see the
//     content, spot and unused reports of their spots, and only of those;
//   - every principal sees the pitch reports of the shares it owns (not
//     those of rooms it only contributes to) and its own row of the
//     seller report;
//   - search gaps are for analysts and admins only;
//   - anything else is ErrForbidden.
//
// Once a report's rows are decided, analysts and admins get item, spot and
// principal names read as the system principal (they may read every
// report, so names of items in spots they cannot open are theirs to see,
// and an admin's report does not fill the audit log with overrides);
// everyone else gets names read as themselves, and a name they may not read
// is left empty while the row stays.
type ReportQuery struct {
	// From and To bound the range, both included ("2006-01-02"); To is
	// today (UTC, by the service's clock) when empty, From the 30th day
	// ending on To. To may not be before From, nor two years or more after
	// it.
	From, To Day
	// SpotIDs restricts the report to items homed in these spots (where
	// the events happened); empty means every spot the caller may report
	// on.
	SpotIDs []string
	// IncludeBots counts suspected bots too.
	IncludeBots bool
	// Limit is the page size, 1 to MaxReportLimit; DefaultReportLimit
	// when zero.
	Limit int
	// Cursor continues from a previous page's NextCursor.
	Cursor string
}

// Report is one page of a report's rows, with the range it covers.
type Report[T any] struct {
	From        Day  `json:"from"`
	To          Day  `json:"to"`
	IncludeBots bool `json:"include_bots"`
	Items       []T  `json:"items"`
	// NextCursor continues with the next page; empty on the last.
	NextCursor string `json:"next_cursor"`
}

// ContentRow is an item's performance over a range.
type ContentRow struct {
	ItemID string `json:"item_id"`
	Title  string `json:"title"`
	// SpotID is the home spot the item's events were recorded in.
	SpotID string `json:"spot_id"`
	// Internal activity: views, the distinct principals who viewed it,
	// downloads, bookmarks, and times it was pitched or added to a room.
	Views         int64 `json:"views"`
	UniqueViewers int64 `json:"unique_viewers"`
	Downloads     int64 `json:"downloads"`
	Bookmarks     int64 `json:"bookmarks"`
	Pitches       int64 `json:"pitches"`
	// Buyers' activity: visits that read the item, the distinct recipients
	// of those visits, pages read (one per accepted beacon), active time,
	// downloads and clicks.
	ExternalOpens     int64 `json:"external_opens"`
	UniqueRecipients  int64 `json:"unique_recipients"`
	PageViews         int64 `json:"page_views"`
	ActiveMS          int64 `json:"active_ms"`
	ExternalDownloads int64 `json:"external_downloads"`
	ExternalClicks    int64 `json:"external_clicks"`
	// PagesRead counts distinct (visit, page) pairs; AvgActiveMSPerPage is
	// ActiveMS / PagesRead, rounded to the millisecond (0 when no page was
	// read). Active time counts on the day it was spent and a page read on
	// the day the visit began reading it, so a visit that crosses midnight
	// at an end of the range can tilt the average slightly.
	PagesRead          int64 `json:"pages_read"`
	AvgActiveMSPerPage int64 `json:"avg_active_ms_per_page"`
	// PageCount is the page count of the item's current version (0 for
	// items without pages, or that are gone). CompletionRate is the
	// average over the visits that read the item of the share of its
	// pages each read (pages past PageCount, read in a longer earlier
	// version, do not count), rounded to 4 decimals; null when PageCount
	// is 0.
	PageCount      int      `json:"page_count"`
	CompletionRate *float64 `json:"completion_rate"`
	// Score is the weighted engagement (Weights) trending and popular sum.
	Score float64 `json:"score"`
}

// SpotRow is a spot's usage over a range.
type SpotRow struct {
	SpotID            string  `json:"spot_id"`
	Name              string  `json:"name"`
	Views             int64   `json:"views"`
	UniqueViewers     int64   `json:"unique_viewers"`
	Downloads         int64   `json:"downloads"`
	Bookmarks         int64   `json:"bookmarks"`
	Pitches           int64   `json:"pitches"`
	PageViews         int64   `json:"page_views"`
	ActiveMS          int64   `json:"active_ms"`
	ExternalDownloads int64   `json:"external_downloads"`
	ExternalClicks    int64   `json:"external_clicks"`
	ItemsEngaged      int64   `json:"items_engaged"`
	Score             float64 `json:"score"`
}

// UnusedRow is a live item nobody used over a range.
type UnusedRow struct {
	ItemID   string         `json:"item_id"`
	Title    string         `json:"title"`
	SpotID   string         `json:"spot_id"`
	Kind     items.Kind     `json:"kind"`
	Audience items.Audience `json:"audience"`
	Status   items.Status   `json:"status"`
	// Owners are the item's owners ("user:eve", "group:marketing").
	Owners    []string  `json:"owners"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// AgeDays is how many whole days ago, by the service's clock, the item
	// was created.
	AgeDays int `json:"age_days"`
}

// SearchGapRow is a query that found little.
type SearchGapRow struct {
	Query    string `json:"query"`
	Searches int64  `json:"searches"`
	ZeroHits int64  `json:"zero_hits"`
	// AvgHits is rounded to 4 decimals.
	AvgHits float64 `json:"avg_hits"`
	LastDay Day     `json:"last_day"`
}

// RecipientRow is one recipient's engagement with one share. The numbers
// are the share's totals for the recipient since it was sent (the roll-up
// is not kept per day); the range selects the recipients whose engagement
// overlaps it (FirstAt on or before To, LastAt on or after From). With
// IncludeBots, suspected bots get rows of their own (Bot set).
type RecipientRow struct {
	ShareID    string `json:"share_id"`
	ShareTitle string `json:"share_title"`
	ShareKind  string `json:"share_kind"`
	ShareOwner string `json:"share_owner"`
	Recipient  string `json:"recipient"`
	Bot        bool   `json:"bot"`
	Opens      int64  `json:"opens"`
	// PageViews counts accepted beacons.
	PageViews int64     `json:"page_views"`
	ActiveMS  int64     `json:"active_ms"`
	Downloads int64     `json:"downloads"`
	Clicks    int64     `json:"clicks"`
	FirstAt   time.Time `json:"first_at"`
	LastAt    time.Time `json:"last_at"`
}

// PitchItemRow is how buyers read one item of one share over a range
// (visits whose reading of a page began in it).
type PitchItemRow struct {
	ShareID    string `json:"share_id"`
	ShareTitle string `json:"share_title"`
	ItemID     string `json:"item_id"`
	ItemTitle  string `json:"item_title"`
	Visits     int64  `json:"visits"`
	Recipients int64  `json:"recipients"`
	// PagesRead counts distinct (visit, page) pairs.
	PagesRead          int64    `json:"pages_read"`
	ActiveMS           int64    `json:"active_ms"`
	AvgActiveMSPerPage int64    `json:"avg_active_ms_per_page"`
	PageCount          int      `json:"page_count"`
	CompletionRate     *float64 `json:"completion_rate"`
}

// PitchPageRow is how buyers read one page of one item of one share.
type PitchPageRow struct {
	ShareID    string `json:"share_id"`
	ShareTitle string `json:"share_title"`
	ItemID     string `json:"item_id"`
	ItemTitle  string `json:"item_title"`
	Page       int    `json:"page"`
	Visits     int64  `json:"visits"`
	Recipients int64  `json:"recipients"`
	ActiveMS   int64  `json:"active_ms"`
	// AvgActiveMSPerVisit is ActiveMS / Visits, rounded to the
	// millisecond.
	AvgActiveMSPerVisit int64 `json:"avg_active_ms_per_visit"`
}

// SellerRow is what one principal did over a range, and what buyers did
// with its shares.
type SellerRow struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	// ItemsPitched counts items put in new pitches and rooms, and added to
	// rooms (one per item); RoomsUpdated the room changes.
	ItemsPitched int64 `json:"items_pitched"`
	RoomsUpdated int64 `json:"rooms_updated"`
	Views        int64 `json:"views"`
	Downloads    int64 `json:"downloads"`
	Bookmarks    int64 `json:"bookmarks"`
	Searches     int64 `json:"searches"`
	// Buyers' engagement with the principal's shares, as RecipientRow
	// counts it (totals of the recipients active in the range): the
	// shares and distinct recipient addresses engaged, and their numbers.
	SharesEngaged     int64 `json:"shares_engaged"`
	Recipients        int64 `json:"recipients"`
	Opens             int64 `json:"opens"`
	PageViews         int64 `json:"page_views"`
	ActiveMS          int64 `json:"active_ms"`
	ExternalDownloads int64 `json:"external_downloads"`
	ExternalClicks    int64 `json:"external_clicks"`
}

// DayRow is an item's engagement on one day (see ContentRow).
type DayRow struct {
	Day               Day   `json:"day"`
	Views             int64 `json:"views"`
	UniqueViewers     int64 `json:"unique_viewers"`
	Downloads         int64 `json:"downloads"`
	Bookmarks         int64 `json:"bookmarks"`
	Pitches           int64 `json:"pitches"`
	ExternalOpens     int64 `json:"external_opens"`
	UniqueRecipients  int64 `json:"unique_recipients"`
	PageViews         int64 `json:"page_views"`
	ActiveMS          int64 `json:"active_ms"`
	PagesRead         int64 `json:"pages_read"`
	ExternalDownloads int64 `json:"external_downloads"`
	ExternalClicks    int64 `json:"external_clicks"`
}

// ItemReport is one item's numbers over a range, in total and per day.
type ItemReport struct {
	ItemID      string `json:"item_id"`
	Title       string `json:"title"`
	From        Day    `json:"from"`
	To          Day    `json:"to"`
	IncludeBots bool   `json:"include_bots"`
	// Totals are the item's ContentRow over the range.
	Totals ContentRow `json:"totals"`
	// Days holds every day of the range, oldest first, zeros included.
	// Unique counts are per day: they do not add up to the totals'.
	Days []DayRow `json:"days"`
}

// PitchGrouping says what a row of the pitch report is about.
type PitchGrouping string

// Pitch report groupings.
const (
	ByRecipient PitchGrouping = "recipient"
	ByItem      PitchGrouping = "item"
	ByPage      PitchGrouping = "page"
)

// PitchQuery selects the pitch and room engagement report.
type PitchQuery struct {
	ReportQuery
	// ShareIDs restricts the report to these shares (empty: every share
	// the caller may report on).
	ShareIDs []string
	// Shares, when set, names the shares in the rows (a *share.Service
	// is one); it is asked as the caller, and a share it refuses or no
	// longer has keeps an empty title. Without it rows carry IDs only.
	Shares ShareReader
}

// ShareReader reads a share the caller may read; *share.Service
// implements it.
type ShareReader interface {
	Share(ctx context.Context, id string) (share.Share, error)
}

// SearchGapQuery selects the search gaps report.
type SearchGapQuery struct {
	ReportQuery
	// MaxHits keeps queries whose average hits per search is at most
	// MaxHits; 0 (the default) keeps the queries that never found
	// anything.
	MaxHits float64
}

// reportPage is a validated ReportQuery.
type reportPage struct {
	from, to      Day
	offset, limit int
	bots          bool
	spotIDs       []string
}

// resolve validates q and fills its defaults.
func (s *Service) resolve(q ReportQuery) (reportPage, error) {
	var f errcode.Fields
	pg := reportPage{from: q.From, to: q.To, limit: q.Limit, bots: q.IncludeBots}
	if pg.to == "" {
		pg.to = DayOf(s.opt.Now())
	} else if !validDay(pg.to) {
		f.Add("to", "must be a date such as 2026-01-31")
	}
	switch {
	case pg.from == "" && validDay(pg.to):
		pg.from = DayOf(pg.to.Time().AddDate(0, 0, -(DefaultReportDays - 1)))
	case pg.from != "" && !validDay(pg.from):
		f.Add("from", "must be a date such as 2026-01-01")
	}
	if validDay(pg.from) && validDay(pg.to) {
		switch {
		case pg.from > pg.to:
			f.Add("from", "must not be after to (%s)", pg.to)
		case !pg.to.Time().Before(pg.from.Time().AddDate(2, 0, 0)):
			f.Add("to", "must be less than 2 years after from (%s)", pg.from)
		}
	}
	switch {
	case pg.limit == 0:
		pg.limit = DefaultReportLimit
	case pg.limit < 1 || pg.limit > MaxReportLimit:
		f.Add("limit", "must be between 1 and %d", MaxReportLimit)
	}
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil || n < 0 || strconv.Itoa(n) != q.Cursor {
			f.Add("cursor", "must be a next_cursor from a previous page")
		}
		pg.offset = n
	}
	for _, id := range q.SpotIDs {
		if id == "" {
			f.Add("spot", "must not be empty")
		} else if !slices.Contains(pg.spotIDs, id) {
			pg.spotIDs = append(pg.spotIDs, id)
		}
	}
	if err := f.Err(ErrInvalid); err != nil {
		return reportPage{}, err
	}
	return pg, nil
}

// validDay reports whether d is a date written as 2006-01-02.
func validDay(d Day) bool {
	t, err := time.Parse(time.DateOnly, string(d))
	return err == nil && t.Format(time.DateOnly) == string(d)
}

// cut returns the page of rows pg asks for and the cursor of the next.
func cut[T any](rows []T, pg reportPage) ([]T, string) {
	if pg.offset >= len(rows) {
		return []T{}, ""
	}
	end := min(pg.offset+pg.limit, len(rows))
	next := ""
	if end < len(rows) {
		next = strconv.Itoa(end)
	}
	return rows[pg.offset:end], next
}

func newReport[T any](pg reportPage, rows []T, next string) Report[T] {
	if rows == nil {
		rows = []T{}
	}
	return Report[T]{From: pg.from, To: pg.to, IncludeBots: pg.bots, Items: rows, NextCursor: next}
}

// reportCaller is the principal asking for a report and what it may see.
type reportCaller struct {
	p spots.Principal
	// everything: an analyst, an admin or the system principal.
	everything bool
}

func (s *Service) callerOf(ctx context.Context) (reportCaller, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return reportCaller{}, err
	}
	return reportCaller{p: p, everything: p.IsAdmin() || p.HasRole(spots.Analyst)}, nil
}

// names returns the context names are read in for c (see the package's
// notes on reports).
func (c reportCaller) names(ctx context.Context) context.Context {
	if c.everything {
		return spots.WithPrincipal(ctx, spots.SystemPrincipal())
	}
	return ctx
}

// spotFilter returns the filter of the spots c may report on, narrowed to
// requested ones. Analysts and admins may report on any spot; others on
// the (non-personal) spots they own or co-own, and a requested spot
// outside those is refused the same way whether it exists or not.
func (s *Service) spotFilter(ctx context.Context, c reportCaller, pg reportPage) (Filter, error) {
	f := Filter{From: pg.from, To: pg.to, IncludeBots: pg.bots}
	if c.everything {
		if len(pg.spotIDs) == 0 {
			f.AllSpots = true
		} else {
			f.SpotIDs = pg.spotIDs
		}
		return f, nil
	}
	owned, err := s.ownedSpots(ctx)
	if err != nil {
		return Filter{}, err
	}
	if len(owned) == 0 {
		return Filter{}, fmt.Errorf("%w: reports on spots are for analysts, admins and the owners of a spot", ErrForbidden)
	}
	if len(pg.spotIDs) == 0 {
		f.SpotIDs = owned
		return f, nil
	}
	for _, id := range pg.spotIDs {
		if !slices.Contains(owned, id) {
			return Filter{}, fmt.Errorf("%w: spot %s: reports on a spot are for its owners, analysts and admins", ErrForbidden, id)
		}
	}
	f.SpotIDs = pg.spotIDs
	return f, nil
}

// ownedSpots returns the IDs of the non-personal spots the caller owns or
// co-owns, as Evaluate decides roles (grants to it or its groups, capped
// without the contributor training).
func (s *Service) ownedSpots(ctx context.Context) ([]string, error) {
	vs, err := s.spots.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range vs {
		if !v.Personal() && v.Role.AtLeast(spots.Coowner) {
			out = append(out, v.ID)
		}
	}
	return out, nil
}

// itemInfo is what reports show of an item.
type itemInfo struct {
	title     string
	pageCount int
}

// itemInfos reads the titles and current page counts of items as ctx's
// principal; items it may not read (or that are gone) get zero values.
func (s *Service) itemInfos(ctx context.Context, ids []string) (map[string]itemInfo, error) {
	out := make(map[string]itemInfo, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		it, err := s.items.Get(ctx, id)
		if errors.Is(err, items.ErrNotFound) {
			out[id] = itemInfo{}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("analytics: item %s: %w", id, err)
		}
		info := itemInfo{title: it.Title}
		if it.CurrentVersionID != "" {
			vs, err := s.items.Versions(ctx, id)
			if err != nil && !errors.Is(err, items.ErrNotFound) {
				return nil, fmt.Errorf("analytics: versions of %s: %w", id, err)
			}
			for _, v := range vs {
				if v.ID == it.CurrentVersionID {
					info.pageCount = v.PageCount
				}
			}
		}
		out[id] = info
	}
	return out, nil
}

func roundRate(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// perPage divides total by n, rounded to the millisecond; 0 when n is 0.
func perPage(total, n int64) int64 {
	if n == 0 {
		return 0
	}
	return int64(math.Round(float64(total) / float64(n)))
}

// completion averages, over visits, the share of pageCount's pages each
// read (pages past pageCount are left out); nil when pageCount is 0 or no
// visit read anything.
func completion(visits map[string]map[int]bool, pageCount int) *float64 {
	if pageCount <= 0 || len(visits) == 0 {
		return nil
	}
	var sum float64
	for _, pages := range visits {
		n := 0
		for p := range pages {
			if p >= 1 && p <= pageCount {
				n++
			}
		}
		sum += float64(n) / float64(pageCount)
	}
	c := roundRate(sum / float64(len(visits)))
	return &c
}

// engaged reports whether a roll-up sum holds any engagement (rows can be
// left at zero by erasure).
func engaged(d ItemDay) bool {
	return d.Views != 0 || d.Downloads != 0 || d.Bookmarks != 0 || d.Pitches != 0 || d.PageViews != 0 ||
		d.ActiveMS != 0 || d.ExternalDownloads != 0 || d.ExternalClicks != 0
}

// ContentReport returns the performance of the items homed in the spots
// the caller may report on, over the range: most engaged (Score) first,
// then most viewed, then by item ID. Items without any engagement in the
// range are left out (see UnusedReport).
func (s *Service) ContentReport(ctx context.Context, q ReportQuery) (Report[ContentRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[ContentRow]{}, err
	}
	pg, err := s.resolve(q)
	if err != nil {
		return Report[ContentRow]{}, err
	}
	f, err := s.spotFilter(ctx, c, pg)
	if err != nil {
		return Report[ContentRow]{}, err
	}
	sums, err := s.st.SumItems(ctx, f)
	if err != nil {
		return Report[ContentRow]{}, fmt.Errorf("analytics: content report: %w", err)
	}
	sums = slices.DeleteFunc(sums, func(x ItemSum) bool { return !engaged(x.ItemDay) && x.Visits == 0 })
	slices.SortFunc(sums, func(a, b ItemSum) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Views, a.Views), cmp.Compare(a.ItemID, b.ItemID))
	})
	sums, next := cut(sums, pg)
	rows, err := s.contentRows(ctx, c.names(ctx), f, sums)
	if err != nil {
		return Report[ContentRow]{}, err
	}
	return newReport(pg, rows, next), nil
}

// contentRows completes item sums with names, page counts and completion
// (from the VisitPage rows of f).
func (s *Service) contentRows(ctx, names context.Context, f Filter, sums []ItemSum) ([]ContentRow, error) {
	if len(sums) == 0 {
		return nil, nil
	}
	ids := make([]string, len(sums))
	for i, x := range sums {
		ids[i] = x.ItemID
	}
	infos, err := s.itemInfos(names, ids)
	if err != nil {
		return nil, err
	}
	f.ItemIDs = ids
	vps, err := s.st.VisitPages(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("analytics: visit pages: %w", err)
	}
	read := map[string]map[string]map[int]bool{} // item → view → pages
	for _, vp := range vps {
		if read[vp.ItemID] == nil {
			read[vp.ItemID] = map[string]map[int]bool{}
		}
		if read[vp.ItemID][vp.ViewID] == nil {
			read[vp.ItemID][vp.ViewID] = map[int]bool{}
		}
		read[vp.ItemID][vp.ViewID][vp.Page] = true
	}
	rows := make([]ContentRow, len(sums))
	for i, x := range sums {
		info := infos[x.ItemID]
		rows[i] = ContentRow{
			ItemID: x.ItemID, Title: info.title, SpotID: x.SpotID,
			Views: x.Views, UniqueViewers: x.UniqueViewers, Downloads: x.Downloads, Bookmarks: x.Bookmarks,
			Pitches: x.Pitches, ExternalOpens: x.Visits, UniqueRecipients: x.UniqueRecipients,
			PageViews: x.PageViews, ActiveMS: x.ActiveMS, ExternalDownloads: x.ExternalDownloads,
			ExternalClicks: x.ExternalClicks, PagesRead: x.PagesRead,
			AvgActiveMSPerPage: perPage(x.ActiveMS, x.PagesRead),
			PageCount:          info.pageCount, CompletionRate: completion(read[x.ItemID], info.pageCount),
			Score: roundRate(x.Score),
		}
	}
	return rows, nil
}

// ItemReport returns one item's numbers over from..to (see ReportQuery for
// the defaults and limits), in total and per day, for anyone who may view
// the item.
func (s *Service) ItemReport(ctx context.Context, itemID string, from, to Day, includeBots bool) (ItemReport, error) {
	pg, err := s.resolve(ReportQuery{From: from, To: to, IncludeBots: includeBots})
	if err != nil {
		return ItemReport{}, err
	}
	it, err := s.items.Get(ctx, itemID)
	if err != nil {
		return ItemReport{}, err
	}
	f := Filter{From: pg.from, To: pg.to, AllSpots: true, ItemIDs: []string{itemID}, IncludeBots: includeBots}
	sums, err := s.st.SumItems(ctx, f)
	if err != nil {
		return ItemReport{}, fmt.Errorf("analytics: item report: %w", err)
	}
	out := ItemReport{ItemID: it.ID, Title: it.Title, From: pg.from, To: pg.to, IncludeBots: includeBots,
		Totals: ContentRow{ItemID: it.ID, Title: it.Title, SpotID: it.SpotID}, Days: []DayRow{}}
	if len(sums) > 0 {
		rows, err := s.contentRows(ctx, ctx, f, sums[:1])
		if err != nil {
			return ItemReport{}, err
		}
		out.Totals = rows[0]
	} else if infos, err := s.itemInfos(ctx, []string{itemID}); err != nil {
		return ItemReport{}, err
	} else {
		out.Totals.PageCount = infos[itemID].pageCount
	}
	// The store sums over a range; a day is a range of one.
	for d := pg.from.Time(); !d.After(pg.to.Time()); d = d.AddDate(0, 0, 1) {
		day := DayOf(d)
		df := f
		df.From, df.To = day, day
		sums, err := s.st.SumItems(ctx, df)
		if err != nil {
			return ItemReport{}, fmt.Errorf("analytics: item report: %w", err)
		}
		row := DayRow{Day: day}
		if len(sums) > 0 {
			x := sums[0]
			row = DayRow{Day: day, Views: x.Views, UniqueViewers: x.UniqueViewers, Downloads: x.Downloads,
				Bookmarks: x.Bookmarks, Pitches: x.Pitches, ExternalOpens: x.Visits,
				UniqueRecipients: x.UniqueRecipients, PageViews: x.PageViews, ActiveMS: x.ActiveMS,
				PagesRead: x.PagesRead, ExternalDownloads: x.ExternalDownloads, ExternalClicks: x.ExternalClicks}
		}
		out.Days = append(out.Days, row)
	}
	return out, nil
}

// SpotReport returns the usage of the spots the caller may report on over
// the range, most engaged first; spots without engagement are left out.
func (s *Service) SpotReport(ctx context.Context, q ReportQuery) (Report[SpotRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[SpotRow]{}, err
	}
	pg, err := s.resolve(q)
	if err != nil {
		return Report[SpotRow]{}, err
	}
	f, err := s.spotFilter(ctx, c, pg)
	if err != nil {
		return Report[SpotRow]{}, err
	}
	sums, err := s.st.SumSpots(ctx, f)
	if err != nil {
		return Report[SpotRow]{}, fmt.Errorf("analytics: spot report: %w", err)
	}
	sums = slices.DeleteFunc(sums, func(x SpotSum) bool { return !engaged(x.ItemDay) })
	slices.SortFunc(sums, func(a, b SpotSum) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Views, a.Views), cmp.Compare(a.SpotID, b.SpotID))
	})
	sums, next := cut(sums, pg)
	names := c.names(ctx)
	rows := make([]SpotRow, len(sums))
	for i, x := range sums {
		name := ""
		sp, err := s.spots.Get(names, x.SpotID)
		switch {
		case err == nil:
			name = sp.Name
		case !errors.Is(err, spots.ErrNotFound):
			return Report[SpotRow]{}, fmt.Errorf("analytics: spot %s: %w", x.SpotID, err)
		}
		rows[i] = SpotRow{SpotID: x.SpotID, Name: name, Views: x.Views, UniqueViewers: x.UniqueViewers,
			Downloads: x.Downloads, Bookmarks: x.Bookmarks, Pitches: x.Pitches, PageViews: x.PageViews,
			ActiveMS: x.ActiveMS, ExternalDownloads: x.ExternalDownloads, ExternalClicks: x.ExternalClicks,
			ItemsEngaged: x.ItemsEngaged, Score: roundRate(x.Score)}
	}
	return newReport(pg, rows, next), nil
}

// UnusedStatuses are the statuses of the items UnusedReport considers:
// live content, which someone could have used.
var UnusedStatuses = []items.Status{items.StatusPublished, items.StatusExpiring}

// UnusedReport returns the live items (UnusedStatuses) in the spots the
// caller may report on (homed or placed there), created by the
// end of the range, that nobody engaged with in the range: no view,
// download, bookmark or pitch, and no buyer's visit, page, download or
// click (a suspected bot's engagement counts only with IncludeBots).
// Oldest first.
func (s *Service) UnusedReport(ctx context.Context, q ReportQuery) (Report[UnusedRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[UnusedRow]{}, err
	}
	pg, err := s.resolve(q)
	if err != nil {
		return Report[UnusedRow]{}, err
	}
	f, err := s.spotFilter(ctx, c, pg)
	if err != nil {
		return Report[UnusedRow]{}, err
	}
	targets := f.SpotIDs
	if f.AllSpots {
		targets = []string{""} // every spot the lister may view
	}
	// Analysts and admins list as the system principal: every spot's
	// content, also of spots they cannot open; owners list their spots as
	// themselves.
	lister := c.names(ctx)
	end := pg.to.Time().AddDate(0, 0, 1)
	seen := map[string]bool{}
	var cands []items.Item
	for _, spotID := range targets {
		cursor := ""
		for {
			pgItems, err := s.items.List(lister, items.Query{SpotID: spotID, Statuses: UnusedStatuses, Cursor: cursor, Limit: 500})
			if err != nil {
				return Report[UnusedRow]{}, err
			}
			for _, it := range pgItems.Items {
				if !seen[it.ID] && it.CreatedAt.Before(end) {
					seen[it.ID] = true
					cands = append(cands, it)
				}
			}
			if pgItems.NextCursor == "" {
				break
			}
			cursor = pgItems.NextCursor
		}
	}
	used := map[string]bool{}
	for batch := range slices.Chunk(cands, 500) {
		ids := make([]string, len(batch))
		for i, it := range batch {
			ids[i] = it.ID
		}
		sums, err := s.st.SumItems(ctx, Filter{From: pg.from, To: pg.to, AllSpots: true, ItemIDs: ids, IncludeBots: pg.bots})
		if err != nil {
			return Report[UnusedRow]{}, fmt.Errorf("analytics: unused report: %w", err)
		}
		for _, x := range sums {
			if engaged(x.ItemDay) || x.Visits != 0 {
				used[x.ItemID] = true
			}
		}
	}
	now := s.opt.Now()
	var rows []UnusedRow
	for _, it := range cands {
		if used[it.ID] {
			continue
		}
		owners := make([]string, len(it.Owners))
		for i, o := range it.Owners {
			owners[i] = o.String()
		}
		rows = append(rows, UnusedRow{ItemID: it.ID, Title: it.Title, SpotID: it.SpotID, Kind: it.Kind,
			Audience: it.Audience, Status: it.Status, Owners: owners, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt,
			AgeDays: max(0, int(now.Sub(it.CreatedAt)/(24*time.Hour)))})
	}
	slices.SortFunc(rows, func(a, b UnusedRow) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ItemID, b.ItemID))
	})
	rows, next := cut(rows, pg)
	return newReport(pg, rows, next), nil
}

// SearchGapReport returns the searches that found little over the range
// (see SearchGapQuery.MaxHits), most searched first, then by query.
// Queries are grouped as NormalizeQuery writes them. Analysts and admins
// only; searches are not per spot, so SpotIDs must be empty.
func (s *Service) SearchGapReport(ctx context.Context, q SearchGapQuery) (Report[SearchGapRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[SearchGapRow]{}, err
	}
	pg, err := s.resolve(q.ReportQuery)
	if err != nil {
		return Report[SearchGapRow]{}, err
	}
	var fe errcode.Fields
	if len(pg.spotIDs) > 0 {
		fe.Add("spot", "searches are not recorded per spot")
	}
	if q.MaxHits < 0 || math.IsNaN(q.MaxHits) || math.IsInf(q.MaxHits, 0) {
		fe.Add("max_hits", "must be a number, 0 or more")
	}
	if err := fe.Err(ErrInvalid); err != nil {
		return Report[SearchGapRow]{}, err
	}
	if !c.everything {
		return Report[SearchGapRow]{}, fmt.Errorf("%w: search gaps are for analysts and admins", ErrForbidden)
	}
	sums, err := s.st.SumQueries(ctx, Filter{From: pg.from, To: pg.to, AllSpots: true, Limit: pg.offset + pg.limit + 1},
		q.MaxHits)
	if err != nil {
		return Report[SearchGapRow]{}, fmt.Errorf("analytics: search gaps: %w", err)
	}
	slices.SortStableFunc(sums, func(a, b QuerySum) int {
		return cmp.Or(cmp.Compare(b.Searches, a.Searches), cmp.Compare(a.Query, b.Query))
	})
	rows := make([]SearchGapRow, len(sums))
	for i, x := range sums {
		rows[i] = SearchGapRow{Query: x.Query, Searches: x.Searches, ZeroHits: x.ZeroHits, AvgHits: roundRate(x.AvgHits),
			LastDay: x.LastDay}
	}
	rows, next := cut(rows, pg)
	return newReport(pg, rows, next), nil
}

// pitchScope returns the recipient totals the caller may report on: every
// share's for analysts and admins, its own shares' for anyone else;
// narrowed to q.ShareIDs when given.
func (s *Service) pitchScope(ctx context.Context, c reportCaller, q PitchQuery, bots bool) ([]RecipientTotal, error) {
	f := Filter{IncludeBots: bots}
	if c.everything {
		f.ShareIDs = q.ShareIDs
	} else {
		f.Owners = []string{c.p.ID}
	}
	rts, err := s.st.RecipientTotals(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("analytics: recipient totals: %w", err)
	}
	// Filter again here: the owner and the shares asked for must both
	// hold, whatever the store does with both filters at once.
	return slices.DeleteFunc(rts, func(rt RecipientTotal) bool {
		return (!c.everything && rt.ShareOwner != c.p.ID) || (len(q.ShareIDs) > 0 && !slices.Contains(q.ShareIDs, rt.ShareID))
	}), nil
}

// shareNames looks shares up with q.Shares, as the caller.
func shareNames(ctx context.Context, lookup ShareReader, ids []string) (map[string]share.Share, error) {
	out := map[string]share.Share{}
	if lookup == nil {
		return out, nil
	}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		sh, err := lookup.Share(ctx, id)
		switch code := errcode.Of(err); {
		case err == nil:
			out[id] = sh
		case code == errcode.NotFound || code == errcode.Forbidden:
			out[id] = share.Share{}
		default:
			return nil, fmt.Errorf("analytics: share %s: %w", id, err)
		}
	}
	return out, nil
}

// PitchRecipients returns the pitch and room engagement report per share
// and recipient (see RecipientRow): every share for analysts and admins,
// the caller's own shares for anyone else. Most recently active first.
// The report is not per spot: SpotIDs must be empty (PitchItems and
// PitchPages take them).
func (s *Service) PitchRecipients(ctx context.Context, q PitchQuery) (Report[RecipientRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[RecipientRow]{}, err
	}
	pg, err := s.resolve(q.ReportQuery)
	if err != nil {
		return Report[RecipientRow]{}, err
	}
	if len(pg.spotIDs) > 0 {
		return Report[RecipientRow]{}, errcode.Invalidf(ErrInvalid, "spot",
			"engagement per recipient is not per spot; group by item or page to filter by spot")
	}
	rts, err := s.pitchScope(ctx, c, q, pg.bots)
	if err != nil {
		return Report[RecipientRow]{}, err
	}
	rts = slices.DeleteFunc(rts, func(rt RecipientTotal) bool {
		return DayOf(rt.LastAt) < pg.from || DayOf(rt.FirstAt) > pg.to
	})
	slices.SortFunc(rts, func(a, b RecipientTotal) int {
		return cmp.Or(b.LastAt.Compare(a.LastAt), cmp.Compare(a.ShareID, b.ShareID),
			cmp.Compare(a.Recipient, b.Recipient), boolCmp(a.Bot, b.Bot))
	})
	rts, next := cut(rts, pg)
	ids := make([]string, len(rts))
	for i, rt := range rts {
		ids[i] = rt.ShareID
	}
	shs, err := shareNames(ctx, q.Shares, ids)
	if err != nil {
		return Report[RecipientRow]{}, err
	}
	rows := make([]RecipientRow, len(rts))
	for i, rt := range rts {
		sh := shs[rt.ShareID]
		rows[i] = RecipientRow{ShareID: rt.ShareID, ShareTitle: sh.Title, ShareKind: string(sh.Kind),
			ShareOwner: rt.ShareOwner, Recipient: rt.Recipient, Bot: rt.Bot, Opens: rt.Opens, PageViews: rt.PageViews,
			ActiveMS: rt.ActiveMS, Downloads: rt.Downloads, Clicks: rt.Clicks, FirstAt: rt.FirstAt, LastAt: rt.LastAt}
	}
	return newReport(pg, rows, next), nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// visitPages returns the VisitPage rows of the range the caller may see in
// a pitch report: of every share (or q.ShareIDs) for analysts and admins,
// of its own shares for anyone else; in q.SpotIDs when given.
func (s *Service) visitPages(ctx context.Context, c reportCaller, q PitchQuery, pg reportPage) ([]VisitPage, error) {
	f := Filter{From: pg.from, To: pg.to, IncludeBots: pg.bots, SpotIDs: pg.spotIDs, AllSpots: len(pg.spotIDs) == 0}
	if c.everything {
		f.ShareIDs = q.ShareIDs
	} else {
		// Every share the caller owns that buyers engaged with has a
		// recipient total (bots' included, so that IncludeBots finds
		// theirs too).
		rts, err := s.pitchScope(ctx, c, q, true)
		if err != nil {
			return nil, err
		}
		for _, rt := range rts {
			if !slices.Contains(f.ShareIDs, rt.ShareID) {
				f.ShareIDs = append(f.ShareIDs, rt.ShareID)
			}
		}
		if len(f.ShareIDs) == 0 {
			return nil, nil // fail closed: no share means nothing, never everything
		}
	}
	vps, err := s.st.VisitPages(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("analytics: visit pages: %w", err)
	}
	if len(f.ShareIDs) > 0 {
		vps = slices.DeleteFunc(vps, func(vp VisitPage) bool { return !slices.Contains(f.ShareIDs, vp.ShareID) })
	}
	return vps, nil
}

// PitchItems returns the pitch and room engagement report per share and
// item over the range (the caller's shares, or every share for analysts
// and admins), most active time first.
func (s *Service) PitchItems(ctx context.Context, q PitchQuery) (Report[PitchItemRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[PitchItemRow]{}, err
	}
	pg, err := s.resolve(q.ReportQuery)
	if err != nil {
		return Report[PitchItemRow]{}, err
	}
	vps, err := s.visitPages(ctx, c, q, pg)
	if err != nil {
		return Report[PitchItemRow]{}, err
	}
	type key struct{ share, item string }
	type acc struct {
		row        PitchItemRow
		visits     map[string]map[int]bool
		recipients map[string]bool
	}
	accs := map[key]*acc{}
	for _, vp := range vps {
		k := key{vp.ShareID, vp.ItemID}
		a := accs[k]
		if a == nil {
			a = &acc{row: PitchItemRow{ShareID: vp.ShareID, ItemID: vp.ItemID}, visits: map[string]map[int]bool{},
				recipients: map[string]bool{}}
			accs[k] = a
		}
		if a.visits[vp.ViewID] == nil {
			a.visits[vp.ViewID] = map[int]bool{}
		}
		a.visits[vp.ViewID][vp.Page] = true
		if vp.Recipient != "" {
			a.recipients[vp.Recipient] = true
		}
		a.row.PagesRead++
		a.row.ActiveMS += vp.ActiveMS
	}
	all := make([]*acc, 0, len(accs))
	for _, a := range accs {
		a.row.Visits = int64(len(a.visits))
		a.row.Recipients = int64(len(a.recipients))
		a.row.AvgActiveMSPerPage = perPage(a.row.ActiveMS, a.row.PagesRead)
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b *acc) int {
		return cmp.Or(cmp.Compare(b.row.ActiveMS, a.row.ActiveMS), cmp.Compare(a.row.ShareID, b.row.ShareID),
			cmp.Compare(a.row.ItemID, b.row.ItemID))
	})
	all, next := cut(all, pg)
	shareIDs, itemIDs := make([]string, len(all)), make([]string, len(all))
	for i, a := range all {
		shareIDs[i], itemIDs[i] = a.row.ShareID, a.row.ItemID
	}
	shs, infos, err := s.pitchNames(ctx, c, q, shareIDs, itemIDs)
	if err != nil {
		return Report[PitchItemRow]{}, err
	}
	rows := make([]PitchItemRow, len(all))
	for i, a := range all {
		info := infos[a.row.ItemID]
		a.row.ShareTitle, a.row.ItemTitle = shs[a.row.ShareID].Title, info.title
		a.row.PageCount, a.row.CompletionRate = info.pageCount, completion(a.visits, info.pageCount)
		rows[i] = a.row
	}
	return newReport(pg, rows, next), nil
}

// pitchNames reads the titles of a page of pitch rows: the shares' as the
// caller sees them, the items' as the report may name them.
func (s *Service) pitchNames(ctx context.Context, c reportCaller, q PitchQuery, shareIDs, itemIDs []string) (map[string]share.Share, map[string]itemInfo, error) {
	shs, err := shareNames(ctx, q.Shares, shareIDs)
	if err != nil {
		return nil, nil, err
	}
	infos, err := s.itemInfos(c.names(ctx), itemIDs)
	if err != nil {
		return nil, nil, err
	}
	return shs, infos, nil
}

// PitchPages returns the pitch and room engagement report per share, item
// and page over the range (the caller's shares, or every share for
// analysts and admins), in reading order: by share, item, then page.
func (s *Service) PitchPages(ctx context.Context, q PitchQuery) (Report[PitchPageRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[PitchPageRow]{}, err
	}
	pg, err := s.resolve(q.ReportQuery)
	if err != nil {
		return Report[PitchPageRow]{}, err
	}
	vps, err := s.visitPages(ctx, c, q, pg)
	if err != nil {
		return Report[PitchPageRow]{}, err
	}
	type key struct {
		share, item string
		page        int
	}
	type acc struct {
		row        PitchPageRow
		visits     map[string]bool
		recipients map[string]bool
	}
	accs := map[key]*acc{}
	for _, vp := range vps {
		k := key{vp.ShareID, vp.ItemID, vp.Page}
		a := accs[k]
		if a == nil {
			a = &acc{row: PitchPageRow{ShareID: vp.ShareID, ItemID: vp.ItemID, Page: vp.Page}, visits: map[string]bool{},
				recipients: map[string]bool{}}
			accs[k] = a
		}
		a.visits[vp.ViewID] = true
		if vp.Recipient != "" {
			a.recipients[vp.Recipient] = true
		}
		a.row.ActiveMS += vp.ActiveMS
	}
	all := make([]*acc, 0, len(accs))
	for _, a := range accs {
		a.row.Visits = int64(len(a.visits))
		a.row.Recipients = int64(len(a.recipients))
		a.row.AvgActiveMSPerVisit = perPage(a.row.ActiveMS, a.row.Visits)
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b *acc) int {
		return cmp.Or(cmp.Compare(a.row.ShareID, b.row.ShareID), cmp.Compare(a.row.ItemID, b.row.ItemID),
			cmp.Compare(a.row.Page, b.row.Page))
	})
	all, next := cut(all, pg)
	shareIDs, itemIDs := make([]string, len(all)), make([]string, len(all))
	for i, a := range all {
		shareIDs[i], itemIDs[i] = a.row.ShareID, a.row.ItemID
	}
	shs, infos, err := s.pitchNames(ctx, c, q, shareIDs, itemIDs)
	if err != nil {
		return Report[PitchPageRow]{}, err
	}
	rows := make([]PitchPageRow, len(all))
	for i, a := range all {
		a.row.ShareTitle, a.row.ItemTitle = shs[a.row.ShareID].Title, infos[a.row.ItemID].title
		rows[i] = a.row
	}
	return newReport(pg, rows, next), nil
}

// SellerReport returns what principals did over the range and what buyers
// did with their shares: every principal with activity for analysts and
// admins (most items pitched first, then most buyers' opens, then by ID),
// the caller's own row (always, zeros included) for anyone else. Neither
// is per spot: SpotIDs must be empty.
func (s *Service) SellerReport(ctx context.Context, q ReportQuery) (Report[SellerRow], error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return Report[SellerRow]{}, err
	}
	pg, err := s.resolve(q)
	if err != nil {
		return Report[SellerRow]{}, err
	}
	if len(pg.spotIDs) > 0 {
		return Report[SellerRow]{}, errcode.Invalidf(ErrInvalid, "spot", "activity is not recorded per spot")
	}
	af := Filter{From: pg.from, To: pg.to, AllSpots: true}
	rf := Filter{IncludeBots: pg.bots}
	if !c.everything {
		af.Owners, rf.Owners = []string{c.p.ID}, []string{c.p.ID}
	}
	acts, err := s.st.SumActors(ctx, af)
	if err != nil {
		return Report[SellerRow]{}, fmt.Errorf("analytics: seller report: %w", err)
	}
	rts, err := s.st.RecipientTotals(ctx, rf)
	if err != nil {
		return Report[SellerRow]{}, fmt.Errorf("analytics: seller report: %w", err)
	}
	type acc struct {
		row        SellerRow
		shares     map[string]bool
		recipients map[string]bool
	}
	accs := map[string]*acc{}
	get := func(id string) *acc {
		a := accs[id]
		if a == nil {
			a = &acc{row: SellerRow{UserID: id}, shares: map[string]bool{}, recipients: map[string]bool{}}
			accs[id] = a
		}
		return a
	}
	if !c.everything {
		get(c.p.ID)
	}
	for _, ad := range acts {
		if !c.everything && ad.Actor != c.p.ID {
			continue
		}
		r := &get(ad.Actor).row
		switch ad.Type {
		case ItemPitched:
			r.ItemsPitched += ad.Count
		case RoomUpdated:
			r.RoomsUpdated += ad.Count
		case ItemViewed:
			r.Views += ad.Count
		case ItemDownloaded:
			r.Downloads += ad.Count
		case ItemBookmarked:
			r.Bookmarks += ad.Count
		case Searched:
			r.Searches += ad.Count
		}
	}
	for _, rt := range rts {
		if rt.ShareOwner == "" || (!c.everything && rt.ShareOwner != c.p.ID) ||
			DayOf(rt.LastAt) < pg.from || DayOf(rt.FirstAt) > pg.to {
			continue
		}
		a := get(rt.ShareOwner)
		a.shares[rt.ShareID] = true
		if rt.Recipient != "" {
			a.recipients[rt.Recipient] = true
		}
		a.row.Opens += rt.Opens
		a.row.PageViews += rt.PageViews
		a.row.ActiveMS += rt.ActiveMS
		a.row.ExternalDownloads += rt.Downloads
		a.row.ExternalClicks += rt.Clicks
	}
	all := make([]SellerRow, 0, len(accs))
	for _, a := range accs {
		a.row.SharesEngaged = int64(len(a.shares))
		a.row.Recipients = int64(len(a.recipients))
		all = append(all, a.row)
	}
	slices.SortFunc(all, func(a, b SellerRow) int {
		return cmp.Or(cmp.Compare(b.ItemsPitched, a.ItemsPitched), cmp.Compare(b.Opens, a.Opens),
			cmp.Compare(a.UserID, b.UserID))
	})
	all, next := cut(all, pg)
	names := c.names(ctx)
	for i := range all {
		p, err := s.spots.GetPrincipal(names, all[i].UserID)
		switch {
		case err == nil:
			all[i].Name, all[i].Email = p.Name, p.Email
		case !errors.Is(err, spots.ErrNotFound):
			return Report[SellerRow]{}, fmt.Errorf("analytics: principal %s: %w", all[i].UserID, err)
		}
	}
	return newReport(pg, all, next), nil
}
