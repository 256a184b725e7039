package search

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// Options configure a Service. Zero fields take defaults.
type Options struct {
	Now     func() time.Time
	Ranking Ranking
	Logger  *slog.Logger
	// Follower, when set, makes searches consistent with the store: a
	// search that finds the index behind the store's last change first
	// lets the follower catch up, so counts and facets never reflect an
	// item's old spots or status, and a writer finds what it just wrote.
	Follower *Follower
	// Signals, when set, are read live for the hits being re-ranked, so
	// relevance ranking follows engagement between re-indexings (sorts by
	// trending and popular use the indexed values; see Follower.Refresh).
	Signals Signals
	// Observe receives every search a person made with a query (first
	// pages only, not browsing or paging) and its total, for analytics'
	// search gaps; it must not block.
	Observe func(ctx context.Context, actor, query string, total int)
}

// Limits of a search request.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// MaxOffset caps relevance paging: nobody reads result 10,000.
	MaxOffset = 10000
)

// Service searches the index for a principal: it parses the query, pushes
// the principal's access and the request's filters into the engine query,
// re-ranks, pages, and fills hits from the store. It is safe for concurrent
// use.
type Service struct {
	idx   Indexer
	st    store.Store
	spots *spots.Service
	opt   Options
}

// NewService returns a Service over idx; st fills hits with their items and
// sp decides what the caller may see.
func NewService(idx Indexer, st store.Store, sp *spots.Service, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	opt.Ranking = opt.Ranking.withDefaults()
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{idx: idx, st: st, spots: sp, opt: opt}
}

// facets computed for every search.
var resultFacets = []Facet{FacetSpot, FacetList, FacetType, FacetAudience}

// plan is a validated request, ready to run.
type plan struct {
	query   *Query
	eq      EngineQuery
	visible map[string]spots.Role
	admin   bool
	cur     cursor
	limit   int
	terms   []string
}

// cursor continues a search: an offset for relevance, the last hit's sort
// key for the other sorts. Fingerprint ties it to the search it came from.
type cursor struct {
	Offset      int      `json:"o,omitempty"`
	After       []string `json:"a,omitempty"`
	Fingerprint string   `json:"f"`
}

// Search runs a search for the principal in ctx. Only items the principal
// may view are returned, counted in Total, or counted in Facets.
func (s *Service) Search(ctx context.Context, req Request) (Result, error) {
	pl, err := s.prepare(ctx, req)
	if err != nil {
		return Result{}, err
	}
	if err := s.sync(ctx); err != nil {
		return Result{}, err
	}
	res, err := s.run(ctx, pl)
	if err != nil {
		return Result{}, err
	}
	if res.Total == 0 && !pl.query.Question && pl.cur.Offset == 0 && pl.cur.After == nil {
		if relaxed, ok := relax(pl.query.Root); ok {
			pl.eq.Match = relaxed
			if res, err = s.run(ctx, pl); err != nil {
				return Result{}, err
			}
			res.Relaxed = true
		}
	}
	if s.opt.Observe != nil && strings.TrimSpace(req.Query) != "" && req.Cursor == "" {
		if p, err := spots.PrincipalFrom(ctx); err == nil && !p.System {
			s.opt.Observe(ctx, p.ID, req.Query, res.Total)
		}
	}
	return res, nil
}

// liveSignals replaces the indexed signals of hits with Options.Signals'.
func (s *Service) liveSignals(ctx context.Context, hits []EngineHit) error {
	if s.opt.Signals == nil || len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	sig, err := s.opt.Signals.Signals(ctx, ids)
	if err != nil {
		return fmt.Errorf("search: signals: %w", err)
	}
	for i := range hits {
		v := sig[hits[i].ID]
		hits[i].Summary.Trending, hits[i].Summary.Popular = v.Trending, v.Popular
	}
	return nil
}

// sync brings the index up to the store's last change when it is behind.
func (s *Service) sync(ctx context.Context) error {
	if s.opt.Follower == nil {
		return nil
	}
	last, err := s.st.LastChangeSeq(ctx)
	if err != nil {
		return fmt.Errorf("search: change feed: %w", err)
	}
	applied, err := s.idx.AppliedSeq(ctx)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if applied >= last {
		return nil
	}
	if _, err := s.opt.Follower.CatchUp(ctx); err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	return nil
}

func (s *Service) prepare(ctx context.Context, req Request) (*plan, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := Parse(req.Query)
	if err != nil {
		return nil, err
	}
	var f errcode.Fields
	limit := req.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 1 || limit > MaxLimit:
		f.Add("limit", "must be between 1 and %d", MaxLimit)
	}
	sort := req.Sort
	if sort == "" {
		sort = SortRelevance
	}
	if !slices.Contains([]Sort{SortRelevance, SortNewest, SortTrending, SortPopular, SortTitle}, sort) {
		f.Add("sort", "must be relevance, newest, trending, popular or title")
	}
	if _, browse := q.Root.(*All); browse && sort == SortRelevance {
		// Browsing has no text to rank by: newest first.
		sort = SortNewest
	}
	filter := Filter{SpotIDs: req.SpotIDs}
	for _, k := range req.Kinds {
		if !k.Valid() {
			f.Add("type", "unknown type %q", k)
		}
		filter.Kinds = append(filter.Kinds, string(k))
	}
	if req.Audience != "" {
		if !req.Audience.Valid() {
			f.Add("audience", "must be internal or external")
		}
		filter.Audiences = []string{string(req.Audience)}
	}
	for _, st := range req.Statuses {
		if !st.Valid() {
			f.Add("status", "unknown status %q", st)
		}
		filter.Statuses = append(filter.Statuses, string(st))
	}
	if len(req.ListIDs) > 0 {
		groups, err := s.listGroups(ctx, req.ListIDs, &f)
		if err != nil {
			return nil, err
		}
		filter.ListGroups = groups
	}
	if err := f.Err(ErrInvalid); err != nil {
		return nil, err
	}
	pl := &plan{query: q, limit: limit, admin: p.IsAdmin(), terms: PositiveTerms(q.Root)}
	pl.eq = EngineQuery{Match: q.Root, Boosts: s.opt.Ranking.Boosts, Sort: sort, Facets: resultFacets}
	pl.visible, filter.Access, err = s.access(ctx, p)
	if err != nil {
		return nil, err
	}
	pl.eq.Filter = filter
	fp := fingerprint(req, sort)
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil || c.Fingerprint != fp || c.Offset < 0 || c.Offset > MaxOffset {
			return nil, errcode.Invalidf(ErrInvalid, "cursor", "not a cursor of this search")
		}
		pl.cur = c
	}
	pl.cur.Fingerprint = fp
	return pl, nil
}

// listGroups groups the requested lists by list group: OR within a group,
// AND across groups.
func (s *Service) listGroups(ctx context.Context, ids []string, f *errcode.Fields) ([][]string, error) {
	byGroup := map[string][]string{}
	var order []string
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		l, err := s.st.GetList(ctx, id)
		if errors.Is(err, items.ErrNotFound) {
			f.Add("list", "unknown list %q", id)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("search: list %s: %w", id, err)
		}
		if _, ok := byGroup[l.GroupID]; !ok {
			order = append(order, l.GroupID)
		}
		byGroup[l.GroupID] = append(byGroup[l.GroupID], id)
	}
	groups := make([][]string, 0, len(order))
	for _, g := range order {
		groups = append(groups, byGroup[g])
	}
	return groups, nil
}

// access returns the spots p may view (with p's role in each) and the
// engine's access filter: items in those spots, in a viewer status or homed
// where p may edit (or p is an admin). Personal spots are visible to their
// owner only.
func (s *Service) access(ctx context.Context, p spots.Principal) (map[string]spots.Role, *Access, error) {
	if p.System {
		return nil, &Access{All: true}, nil
	}
	vs, err := s.spots.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	a := &Access{SpotIDs: []string{}, Statuses: make([]string, len(items.ViewerStatuses))}
	for i, st := range items.ViewerStatuses {
		a.Statuses[i] = string(st)
	}
	visible := make(map[string]spots.Role, len(vs))
	for _, v := range vs {
		visible[v.ID] = v.Role
		a.SpotIDs = append(a.SpotIDs, v.ID)
		if v.Role.AtLeast(spots.Editor) || p.IsAdmin() {
			a.AnyStatusHomeIDs = append(a.AnyStatusHomeIDs, v.ID)
		}
	}
	return visible, a, nil
}

// mayView re-checks a hit against the store's current item, so an index
// that lags a revoked placement or a status change never shows it.
func (pl *plan) mayView(it items.Item) bool {
	if pl.visible == nil { // the system principal
		return true
	}
	in := false
	for _, id := range it.SpotIDs() {
		if _, ok := pl.visible[id]; ok {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	if it.ViewerVisible() || pl.admin {
		return true
	}
	role, ok := pl.visible[it.SpotID]
	return ok && role.AtLeast(spots.Editor)
}

func (s *Service) run(ctx context.Context, pl *plan) (Result, error) {
	eq := pl.eq
	var page []ranked
	var total int
	var facets map[Facet][]FacetValue
	next := ""
	if eq.Sort == SortRelevance {
		// Re-rank a window of the engine's best, then page through it.
		eq.Offset, eq.Limit = 0, max(s.opt.Ranking.Window, pl.cur.Offset+pl.limit)
		res, err := s.idx.Search(ctx, eq)
		if err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		total, facets = res.Total, res.Facets
		if err := s.liveSignals(ctx, res.Hits); err != nil {
			return Result{}, err
		}
		now := s.opt.Now()
		rs := make([]ranked, len(res.Hits))
		for i, h := range res.Hits {
			rs[i] = s.opt.Ranking.rerank(h, pl.terms, now)
		}
		sortRanked(rs)
		from := min(pl.cur.Offset, len(rs))
		to := min(from+pl.limit, len(rs))
		page = rs[from:to]
		if to < total && to < MaxOffset {
			next = encodeCursor(cursor{Offset: to, Fingerprint: pl.cur.Fingerprint})
		}
	} else {
		eq.After, eq.Limit = pl.cur.After, pl.limit+1
		res, err := s.idx.Search(ctx, eq)
		if err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		total, facets = res.Total, res.Facets
		hits := res.Hits
		if len(hits) > pl.limit {
			hits = hits[:pl.limit]
			next = encodeCursor(cursor{After: hits[len(hits)-1].SortKey, Fingerprint: pl.cur.Fingerprint})
		}
		for _, h := range hits {
			page = append(page, ranked{hit: h, score: h.Score, tier: tierNormal})
		}
	}
	out := Result{Total: total, Hits: make([]Hit, 0, len(page)), Facets: s.facets(pl, facets), NextCursor: next}
	for _, r := range page {
		it, err := s.st.GetItem(ctx, r.hit.ID)
		if errors.Is(err, items.ErrNotFound) {
			continue // deleted since the index last caught up
		}
		if err != nil {
			return Result{}, fmt.Errorf("search: item %s: %w", r.hit.ID, err)
		}
		if !pl.mayView(it) {
			continue
		}
		h := Hit{Item: it, Score: r.score, Flagged: r.hit.Summary.Flagged}
		if err := s.decorate(ctx, pl, &h); err != nil {
			return Result{}, err
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

// decorate adds highlights and, for questions, the best passage.
func (s *Service) decorate(ctx context.Context, pl *plan, h *Hit) error {
	if len(pl.terms) == 0 {
		return nil
	}
	const fragments, width = 3, 160
	hl := map[string][]string{}
	add := func(field string, texts ...string) {
		for _, t := range texts {
			if frags := Highlight(t, pl.terms, fragments-len(hl[field]), width); len(frags) > 0 {
				hl[field] = append(hl[field], frags...)
			}
		}
	}
	add("title", h.Item.Title, h.Item.ExternalTitle)
	add("description", h.Item.Description, h.Item.ExternalDescription)
	var pages []string
	if h.Item.CurrentVersionID != "" {
		v, err := s.st.GetVersion(ctx, h.Item.CurrentVersionID)
		if err != nil && !errors.Is(err, items.ErrNotFound) {
			return fmt.Errorf("search: version %s: %w", h.Item.CurrentVersionID, err)
		}
		pages = v.Pages
		add("body", pages...)
	}
	if len(hl) > 0 {
		h.Highlights = hl
	}
	if pl.query.Question {
		texts := append([]string{h.Item.Title + ". " + h.Item.Description}, pages...)
		if page, text := BestPassage(texts, pl.terms); text != "" {
			h.Passage = &Passage{Page: page - 1, Text: text}
		}
	}
	return nil
}

// facets converts the engine's facets, keeping only spots the principal
// may view: an item placed in a hidden spot never reveals that spot.
func (s *Service) facets(pl *plan, in map[Facet][]FacetValue) map[string][]FacetValue {
	out := make(map[string][]FacetValue, len(resultFacets))
	for _, f := range resultFacets {
		vals := []FacetValue{}
		for _, v := range in[f] {
			if f == FacetSpot && pl.visible != nil {
				if _, ok := pl.visible[v.Value]; !ok {
					continue
				}
			}
			vals = append(vals, v)
		}
		out[string(f)] = vals
	}
	return out
}

// relax turns a top-level AND of positive clauses into an OR.
func relax(n Node) (Node, bool) {
	and, ok := n.(*And)
	if !ok || len(and.Clauses) < 2 {
		return nil, false
	}
	for _, c := range and.Clauses {
		if _, neg := c.(*Not); neg {
			return nil, false
		}
	}
	return &Or{Clauses: and.Clauses}, true
}

func fingerprint(req Request, sort Sort) string {
	req.Cursor, req.Limit, req.Sort = "", 0, sort
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}

// ItemExplanation is the answer of Service.Explain: why an item matched a query
// and how its final score was made.
type ItemExplanation struct {
	ItemID  string `json:"item_id"`
	Query   string `json:"query"`
	Matched bool   `json:"matched"`
	// Relaxed says the item matches only the relaxed (OR) form of the query.
	Relaxed bool `json:"relaxed"`
	// Reasons say which fields hold which query words.
	Reasons []string `json:"reasons"`
	// TextScore is the engine's relevance; Factors multiply it into Score.
	TextScore float64  `json:"text_score"`
	Factors   []Factor `json:"factors"`
	Score     float64  `json:"score"`
	// Tier places the item: "promoted keyword", "normal" or "flagged".
	Tier   string     `json:"tier"`
	Engine *ScoreNode `json:"engine,omitempty"`
}

// Explain says why itemID matches query for the principal in ctx and how
// its score is built. An item the principal may not view is ErrNotFound,
// exactly like one that does not exist.
func (s *Service) Explain(ctx context.Context, query, itemID string) (ItemExplanation, error) {
	if strings.TrimSpace(itemID) == "" {
		return ItemExplanation{}, errcode.Invalidf(ErrInvalid, "item", "required")
	}
	pl, err := s.prepare(ctx, Request{Query: query})
	if err != nil {
		return ItemExplanation{}, err
	}
	if err := s.sync(ctx); err != nil {
		return ItemExplanation{}, err
	}
	eq := pl.eq
	eq.Sort = SortRelevance
	ex, err := s.idx.Explain(ctx, eq, itemID)
	if err != nil {
		return ItemExplanation{}, fmt.Errorf("search: explain %s: %w", itemID, err)
	}
	out := ItemExplanation{ItemID: itemID, Query: query, Matched: ex.Matched, Engine: ex.Detail, Reasons: []string{}}
	if !ex.Matched {
		if relaxed, ok := relax(pl.query.Root); ok {
			eq.Match = relaxed
			if rex, err := s.idx.Explain(ctx, eq, itemID); err == nil && rex.Matched {
				ex, out.Matched, out.Relaxed, out.Engine = rex, true, true, rex.Detail
			}
		}
	}
	it, err := s.st.GetItem(ctx, itemID)
	if err != nil {
		return ItemExplanation{}, fmt.Errorf("search: explain %s: %w", itemID, err)
	}
	if !pl.mayView(it) {
		return ItemExplanation{}, fmt.Errorf("search: explain %s: %w", itemID, ErrNotFound)
	}
	docs, err := NewDocBuilder(s.st, nil).FromItems(ctx, []items.Item{it})
	if err != nil {
		return ItemExplanation{}, err
	}
	out.Reasons = reasons(docs[0], pl.query.Root)
	out.TextScore = ex.Score
	if !out.Matched {
		out.Tier = "none"
		return out, nil
	}
	// Re-rank exactly as Search does.
	hit := []EngineHit{{ID: itemID, Score: ex.Score, Summary: ex.Summary}}
	if err := s.liveSignals(ctx, hit); err != nil {
		return ItemExplanation{}, err
	}
	r := s.opt.Ranking.rerank(hit[0], pl.terms, s.opt.Now())
	out.Score, out.Factors = r.score, r.factors
	if out.Factors == nil {
		out.Factors = []Factor{}
	}
	out.Tier = map[int]string{tierPromotedKeyword: "promoted keyword", tierNormal: "normal", tierFlagged: "flagged"}[r.tier]
	return out, nil
}

// reasons lists, for each positive word or phrase of the query, the fields
// of d that contain it.
func reasons(d Document, root Node) []string {
	fields := map[Field][]string{
		FieldTitle:       {d.Title, d.ExternalTitle},
		FieldDescription: {d.Description, d.ExternalDescription},
		FieldBody:        d.Pages,
		FieldSpot:        d.SpotNames,
		FieldList:        d.ListNames,
		FieldLabel:       d.Labels,
		FieldAuthor:      {d.Author},
		FieldOwner:       d.Owners,
	}
	out := []string{}
	var walk func(n Node, negated bool)
	check := func(field Field, text string, phrase bool) {
		want := Terms(text)
		if len(want) == 0 {
			return
		}
		what := fmt.Sprintf("%q", text)
		if phrase {
			what = "the phrase " + what
		}
		switch field {
		case FieldType:
			if strings.EqualFold(text, d.Kind) {
				out = append(out, fmt.Sprintf("type is %s", d.Kind))
			}
			return
		case FieldAudience:
			if strings.EqualFold(text, d.Audience) {
				out = append(out, fmt.Sprintf("audience is %s", d.Audience))
			}
			return
		}
		candidates := []Field{field}
		if field == FieldDefault {
			candidates = DefaultFields
		}
		for _, f := range candidates {
			for i, v := range fields[f] {
				if containsSeq(Terms(v), want) {
					where := string(f)
					if f == FieldBody {
						where = fmt.Sprintf("page %d", i+1)
					}
					out = append(out, fmt.Sprintf("%s contains %s", where, what))
					break
				}
			}
		}
	}
	walk = func(n Node, negated bool) {
		switch n := n.(type) {
		case *Term:
			if !negated {
				check(n.Field, n.Text, false)
			}
		case *Phrase:
			if !negated {
				check(n.Field, n.Text, true)
			}
		case *And:
			for _, c := range n.Clauses {
				walk(c, negated)
			}
		case *Or:
			for _, c := range n.Clauses {
				walk(c, negated)
			}
		case *Not:
			walk(n.Clause, !negated)
		}
	}
	walk(root, false)
	return out
}

// containsSeq reports whether want occurs in have as consecutive terms.
func containsSeq(have, want []string) bool {
	for i := 0; i+len(want) <= len(have); i++ {
		if slices.Equal(have[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
