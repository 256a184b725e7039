package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blugelabs/bluge"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/internal/synthcorpus"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
)

// latencies are the durations of one measurement.
type latencies []time.Duration

// pct returns the p-quantile (nearest rank).
func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func timed(l *latencies, fn func() error) error {
	start := time.Now()
	err := fn()
	*l = append(*l, time.Since(start))
	return err
}

// queryRow is one kind of query measured three ways.
type queryRow struct {
	kind string
	// ours is Library.Search; engine is the blugesearch query the service
	// makes (its re-ranking window, four facets, the access filter); bare
	// is the bare Bluge query (top 20, two aggregations, access filter).
	ours, engine, bare latencies
	// Totals summed over the queries, to compare what they match.
	oursTotal, bareTotal int
	queries              int
	// The stages of Library.Search, timed one by one after it (see
	// stageTimes).
	stages *stages
}

// stages are Library.Search's parts, each timed alone: the visible spots,
// then, for the hits of the page, reading the items and their current
// versions from the store, and the highlights (and a question's passage).
type stages struct {
	spots, items, versions, highlights latencies
}

// stageTimes times the parts of the search that found hits, outside it.
func stageTimes(ctx context.Context, e *env, q *search.Query, hits []search.Hit, st *stages) error {
	if err := timed(&st.spots, func() error { _, err := e.lib.Spots.List(ctx); return err }); err != nil {
		return err
	}
	var its []items.Item
	err := timed(&st.items, func() error {
		for _, h := range hits {
			it, err := e.db.GetItem(ctx, h.Item.ID)
			if err != nil {
				return err
			}
			its = append(its, it)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Service.decorate reads versions only to highlight query words.
	terms := search.PositiveTerms(q.Root)
	if len(terms) == 0 {
		st.versions = append(st.versions, 0)
		st.highlights = append(st.highlights, 0)
		return nil
	}
	var pages [][]string
	err = timed(&st.versions, func() error {
		for _, it := range its {
			v, err := e.db.GetVersion(ctx, it.CurrentVersionID)
			if err != nil {
				return err
			}
			pages = append(pages, v.Pages)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// As Service.decorate: up to three fragments per field, and for a
	// question the best passage.
	return timed(&st.highlights, func() error {
		for i, it := range its {
			for _, field := range [][]string{{it.Title, it.ExternalTitle}, {it.Description, it.ExternalDescription}, pages[i]} {
				n := 0
				for _, t := range field {
					n += len(search.Highlight(t, terms, 3-n, 160))
				}
			}
			if q.Question {
				search.BestPassage(append([]string{it.Title + ". " + it.Description}, pages[i]...), terms)
			}
		}
		return nil
	})
}

// engineQuery is the engine query Service.Search makes for q.
func engineQuery(q *search.Query, a *search.Access) search.EngineQuery {
	eq := search.EngineQuery{Match: q.Root, Filter: search.Filter{Access: a}, Boosts: search.DefaultBoosts(),
		Sort: search.SortRelevance, Limit: search.DefaultRanking().Window,
		Facets: []search.Facet{search.FacetSpot, search.FacetList, search.FacetType, search.FacetAudience}}
	if _, browse := q.Root.(*search.All); browse {
		eq.Sort, eq.Limit = search.SortNewest, search.DefaultLimit+1
	}
	return eq
}

// measureQuery runs queries on the three paths, one warm-up pass then
// cfg.passes measured ones, interleaving the paths query by query.
func measureQuery(ctx context.Context, cfg config, e *env, bare *bluge.Reader, kind string, qs []string,
	a *search.Access, withBare func(*search.Access) *search.Access) (*queryRow, error) {
	row := &queryRow{kind: kind, queries: len(qs)}
	parsed := make([]*search.Query, len(qs))
	for i, q := range qs {
		p, err := search.Parse(q)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q, err)
		}
		parsed[i] = p
	}
	bareAccess := withBare(a)
	row.stages = &stages{}
	// One warm-up pass over at most 20 queries, then the measured passes.
	for pass := range cfg.passes + 1 {
		var ours, engine, bareL latencies
		oursTotal, bareTotal := 0, 0
		for i, q := range qs {
			if pass == 0 && i >= 20 {
				break
			}
			var res search.Result
			err := timed(&ours, func() error {
				var err error
				res, err = e.lib.Search.Search(ctx, search.Request{Query: q})
				oursTotal += res.Total
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("query %q: %w", q, err)
			}
			if pass > 0 {
				if err := stageTimes(ctx, e, parsed[i], res.Hits, row.stages); err != nil {
					return nil, fmt.Errorf("query %q: %w", q, err)
				}
			}
			err = timed(&engine, func() error {
				_, err := e.idx.Search(ctx, engineQuery(parsed[i], a))
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("engine query %q: %w", q, err)
			}
			err = timed(&bareL, func() error {
				req, err := bareRequest(parsed[i], bareAccess)
				if err != nil {
					return err
				}
				n, err := runBare(ctx, bare, req)
				bareTotal += n
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("bare query %q: %w", q, err)
			}
		}
		if pass == 0 { // warm-up
			continue
		}
		row.ours, row.engine, row.bare = append(row.ours, ours...), append(row.engine, engine...), append(row.bare, bareL...)
		row.oursTotal, row.bareTotal = oursTotal, bareTotal
	}
	return row, nil
}

func measureQueries(ctx context.Context, cfg config, c *synthcorpus.Corpus, e *env, bare *bluge.Reader, rep *report, log io.Writer) error {
	pctx := briefcase.WithPrincipal(ctx, c.Principal(cfg.as))
	a, err := access(pctx, e.lib)
	if err != nil {
		return err
	}
	rep.visible, rep.spots = len(a.SpotIDs), len(c.Spots())
	same := func(a *search.Access) *search.Access { return a }
	for _, k := range synthcorpus.QueryKinds() {
		logf(log, "queries: %s", k)
		row, err := measureQuery(pctx, cfg, e, bare, string(k), c.Queries(k, cfg.queries), a, same)
		if err != nil {
			return err
		}
		rep.queries = append(rep.queries, row)
	}
	// The visible spots, computed alone (Service.Search does it per search).
	for range 200 {
		if err := timed(&rep.spotsList, func() error { _, err := e.lib.Spots.List(pctx); return err }); err != nil {
			return err
		}
	}

	logf(log, "facets over everything: an admin browsing")
	actx := briefcase.WithPrincipal(ctx, c.Principal(synthcorpus.AdminID))
	aa, err := access(actx, e.lib)
	if err != nil {
		return err
	}
	browse := make([]string, 50)
	if rep.adminBrowse, err = measureQuery(actx, cfg, e, bare, "admin browse", browse, aa, same); err != nil {
		return err
	}
	none := func(*search.Access) *search.Access { return nil }
	if rep.bareNoFilter, err = measureQuery(actx, cfg, e, bare, "admin browse, bare without filter", browse, aa, none); err != nil {
		return err
	}
	return nil
}

// measureWrites creates items while Library.Run follows the store and
// times how soon each is found.
func measureWrites(ctx context.Context, cfg config, c *synthcorpus.Corpus, e *env, rep *report, log io.Writer) error {
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.lib.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	sys := briefcase.SystemContext(ctx)
	// Let Run's first catch-up finish.
	for {
		last, err := e.db.LastChangeSeq(ctx)
		if err != nil {
			return err
		}
		if applied, err := e.idx.AppliedSeq(ctx); err != nil {
			return err
		} else if applied >= last {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	editor := briefcase.WithPrincipal(ctx, c.Principal(synthcorpus.EditorID))
	spotID := c.EditorSpotIDs()[0]
	secret, _, err := e.lib.Tokens.Create(sys, synthcorpus.EditorID, "searchbench", time.Hour)
	if err != nil {
		return err
	}
	nonce := strconv.FormatInt(time.Now().UnixNano(), 36)
	var created []string
	defer func() {
		for _, id := range created {
			_ = e.lib.Items.Delete(sys, id)
		}
	}()
	token := func(mode, i int) string { return fmt.Sprintf("probe%sm%di%d", nonce, mode, i) }
	inIndex := func(tok string) (bool, error) {
		res, err := e.idx.Search(ctx, search.EngineQuery{Match: &search.Term{Field: search.FieldTitle, Text: tok},
			Filter: search.Filter{Access: &search.Access{All: true}}})
		return res.Total > 0, err
	}
	pollIndex := func(tok string) error {
		for {
			ok, err := inIndex(tok)
			if err != nil || ok {
				return err
			}
			time.Sleep(time.Millisecond)
		}
	}
	create := func(tok string) error {
		it, err := e.lib.Items.Create(editor, items.NewItem{SpotID: spotID, Kind: items.KindDocument,
			Title: "Visibility probe " + tok})
		created = append(created, it.ID)
		return err
	}

	logf(log, "write to visible: HTTP API (wakes the follower), index polled")
	h := e.lib.Handler()
	for i := range cfg.writes {
		tok := token(1, i)
		err := timed(&rep.visAPI, func() error {
			body, _ := json.Marshal(items.NewItem{SpotID: spotID, Kind: items.KindDocument, Title: "Visibility probe " + tok})
			req := httptest.NewRequest(http.MethodPost, "/api/v1/items", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				return fmt.Errorf("POST /api/v1/items: %d %s", w.Code, w.Body.String())
			}
			var it items.Item
			if err := json.Unmarshal(w.Body.Bytes(), &it); err == nil {
				created = append(created, it.ID)
			}
			return pollIndex(tok)
		})
		if err != nil {
			return err
		}
	}
	logf(log, "write to visible: items.Service (no wake, as another node or the CLI writes), index polled")
	for i := range cfg.writes {
		tok := token(2, i)
		if err := timed(&rep.visFollow, func() error {
			if err := create(tok); err != nil {
				return err
			}
			return pollIndex(tok)
		}); err != nil {
			return err
		}
	}
	logf(log, "write to visible: items.Service, then Library.Search")
	for i := range cfg.writes {
		tok := token(3, i)
		searches := 0
		if err := timed(&rep.visSearch, func() error {
			if err := create(tok); err != nil {
				return err
			}
			for {
				searches++
				res, err := e.lib.Search.Search(editor, search.Request{Query: "title:" + tok})
				if err != nil || res.Total > 0 {
					return err
				}
				time.Sleep(time.Millisecond)
			}
		}); err != nil {
			return err
		}
		rep.visSearchPolls = max(rep.visSearchPolls, searches)
	}
	return nil
}

// measureRSS opens the data directory as the server does, runs a few of
// every kind of query, and prints the process's resident memory.
func measureRSS(ctx context.Context, cfg config, out io.Writer) error {
	e, err := open(ctx, cfg.data)
	if err != nil {
		return err
	}
	defer e.Close()
	c := synthcorpus.New(synthcorpus.Options{Items: cfg.items, Seed: cfg.seed})
	opened := vmStatus()
	pctx := briefcase.WithPrincipal(ctx, c.Principal(cfg.as))
	for _, k := range synthcorpus.QueryKinds() {
		for _, q := range c.Queries(k, 50) {
			if _, err := e.lib.Search.Search(pctx, search.Request{Query: q}); err != nil {
				return err
			}
		}
	}
	actx := briefcase.WithPrincipal(ctx, c.Principal(synthcorpus.AdminID))
	for range 10 {
		if _, err := e.lib.Search.Search(actx, search.Request{}); err != nil {
			return err
		}
	}
	searched := vmStatus()
	fmt.Fprintf(out, "after opening: %s; after %d searches: %s", opened, 50*len(synthcorpus.QueryKinds())+10, searched)
	return nil
}

// vmStatus reads the resident memory from /proc/self/status: VmRSS, split
// into anonymous memory (the Go heap, SQLite's caches) and file pages
// (Bluge's memory-mapped segments, which the kernel may drop and re-read),
// with the peak, and the Go heap in use.
func vmStatus() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	v := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		k, val, _ := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		if kb, err := strconv.Atoi(strings.TrimSuffix(val, " kB")); err == nil {
			val = fmt.Sprintf("%d MB", kb/1024)
		}
		v[k] = val
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("VmRSS %s = anonymous %s + file-backed %s (peak VmHWM %s; Go heap in use %d MB)",
		v["VmRSS"], v["RssAnon"], v["RssFile"], v["VmHWM"], ms.HeapInuse>>20)
}
