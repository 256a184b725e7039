package main

// The bare baseline: the same documents in a plain Bluge index (Bluge's
// standard analyzer, positions on every text field, keyword fields for
// filters and facets), as search/blugesearch's benchmarks build it, and
// each query translated to the Bluge query of the same meaning. It is the
// only Bluge this program uses directly; Briefcase itself reaches Bluge
// through search/blugesearch alone.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/blugelabs/bluge"
	bsearch "github.com/blugelabs/bluge/search"
	"github.com/blugelabs/bluge/search/aggregations"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/store"
)

// bareDocument is the plain Bluge document of d.
func bareDocument(d *search.Document) *bluge.Document {
	doc := bluge.NewDocument(d.ID)
	text := func(name string, values ...string) {
		for _, v := range values {
			if v != "" {
				doc.AddField(bluge.NewTextField(name, v).SearchTermPositions())
			}
		}
	}
	text("title", d.Title, d.ExternalTitle)
	text("description", d.Description, d.ExternalDescription)
	text("body", d.Pages...)
	text("spot", d.SpotNames...)
	text("list", d.ListNames...)
	text("label", d.Labels...)
	text("author", d.Author)
	text("owner", d.Owners...)
	keyword := func(name string, values ...string) {
		for _, v := range values {
			doc.AddField(bluge.NewKeywordField(name, v).Aggregatable())
		}
	}
	keyword("spot_id", d.SpotIDs...)
	keyword("list_id", d.ListIDs...)
	keyword("home", d.HomeSpotID)
	keyword("kind", d.Kind)
	keyword("audience", d.Audience)
	keyword("status", d.Status)
	// Fixed-width, so that it sorts as text (newest first for browsing).
	doc.AddField(bluge.NewKeywordField("created", d.CreatedAt.UTC().Format("20060102150405.000000")).Sortable())
	return doc
}

// buildTimes splits an index build into reading the documents from the
// store (the same DocBuilder the follower uses) and indexing them.
type buildTimes struct {
	n             int
	read, engine  time.Duration
	readAndEngine time.Duration
}

// streamDocuments pages through every item of st, builds its documents
// and hands them to index, timing both sides.
func streamDocuments(ctx context.Context, st store.Store, batch int, index func([]search.Document) error) (buildTimes, error) {
	var bt buildTimes
	b := search.NewDocBuilder(st, nil)
	f := items.ItemFilter{AllSpots: true, Limit: batch}
	start := time.Now()
	for {
		t0 := time.Now()
		page, err := st.ListItems(ctx, f)
		if err != nil {
			return bt, err
		}
		docs, err := b.FromItems(ctx, page)
		if err != nil {
			return bt, err
		}
		t1 := time.Now()
		if err := index(docs); err != nil {
			return bt, err
		}
		bt.read += t1.Sub(t0)
		bt.engine += time.Since(t1)
		bt.n += len(docs)
		if len(page) < f.Limit {
			break
		}
		f.BeforeID = page[len(page)-1].ID
	}
	bt.readAndEngine = time.Since(start)
	return bt, nil
}

// buildBare indexes every item of st into a new bare Bluge index in dir,
// in batches of batch documents, and returns a reader on it.
func buildBare(ctx context.Context, st store.Store, dir string, batch int) (*bluge.Reader, buildTimes, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, buildTimes{}, err
	}
	w, err := bluge.OpenWriter(bluge.DefaultConfig(dir))
	if err != nil {
		return nil, buildTimes{}, err
	}
	bt, err := streamDocuments(ctx, st, batch, func(docs []search.Document) error {
		b := bluge.NewBatch()
		for i := range docs {
			d := bareDocument(&docs[i])
			b.Update(d.ID(), d)
		}
		return w.Batch(b)
	})
	if err != nil {
		_ = w.Close()
		return nil, bt, err
	}
	if err := w.Close(); err != nil {
		return nil, bt, err
	}
	r, err := bluge.OpenReader(bluge.DefaultConfig(dir))
	return r, bt, err
}

// bareFields are the default fields with their boosts.
func bareFields() []struct {
	name  string
	boost float64
} {
	b := search.DefaultBoosts()
	out := make([]struct {
		name  string
		boost float64
	}, 0, len(search.DefaultFields))
	for _, f := range search.DefaultFields {
		out = append(out, struct {
			name  string
			boost float64
		}{string(f), b.Field(f)})
	}
	return out
}

// bareText matches text in one field: a word, or a phrase when the text
// is a phrase or a word Briefcase's analyzer splits (one-pager).
func bareText(field, text string, phrase bool, boost float64) bluge.Query {
	if phrase || len(search.Terms(text)) > 1 {
		return bluge.NewMatchPhraseQuery(text).SetField(field).SetBoost(boost)
	}
	return bluge.NewMatchQuery(text).SetField(field).SetBoost(boost)
}

// bareQuery translates a parsed query into Bluge's terms.
func bareQuery(n search.Node) (bluge.Query, error) {
	switch n := n.(type) {
	case nil, *search.All:
		return bluge.NewMatchAllQuery(), nil
	case *search.Term, *search.Phrase:
		field, text, phrase := search.FieldDefault, "", false
		if t, ok := n.(*search.Term); ok {
			field, text = t.Field, t.Text
		} else {
			p := n.(*search.Phrase)
			field, text, phrase = p.Field, p.Text, true
		}
		switch field {
		case search.FieldDefault:
			q := bluge.NewBooleanQuery().SetMinShould(1)
			for _, f := range bareFields() {
				q.AddShould(bareText(f.name, text, phrase, f.boost))
			}
			return q, nil
		case search.FieldType:
			return bluge.NewTermQuery(text).SetField("kind").SetBoost(0), nil
		case search.FieldAudience:
			return bluge.NewTermQuery(text).SetField("audience").SetBoost(0), nil
		default:
			return bareText(string(field), text, phrase, search.DefaultBoosts().Field(field)), nil
		}
	case *search.And:
		q := bluge.NewBooleanQuery()
		for _, c := range n.Clauses {
			if not, ok := c.(*search.Not); ok {
				cq, err := bareQuery(not.Clause)
				if err != nil {
					return nil, err
				}
				q.AddMustNot(cq)
				continue
			}
			cq, err := bareQuery(c)
			if err != nil {
				return nil, err
			}
			q.AddMust(cq)
		}
		return q, nil
	case *search.Or:
		q := bluge.NewBooleanQuery().SetMinShould(1)
		for _, c := range n.Clauses {
			cq, err := bareQuery(c)
			if err != nil {
				return nil, err
			}
			q.AddShould(cq)
		}
		return q, nil
	case *search.Not:
		cq, err := bareQuery(n.Clause)
		if err != nil {
			return nil, err
		}
		return bluge.NewBooleanQuery().AddMustNot(cq), nil
	}
	return nil, fmt.Errorf("searchbench: no bare translation of %s", n)
}

// bareAccess is the access filter as non-scoring clauses: a visible spot,
// and a viewer status or a home where the principal may see every status.
func bareAccess(a *search.Access) bluge.Query {
	spots := bluge.NewBooleanQuery().SetMinShould(1).SetBoost(0)
	for _, s := range a.SpotIDs {
		spots.AddShould(bluge.NewTermQuery(s).SetField("spot_id").SetBoost(0))
	}
	status := bluge.NewBooleanQuery().SetMinShould(1).SetBoost(0)
	for _, s := range a.Statuses {
		status.AddShould(bluge.NewTermQuery(s).SetField("status").SetBoost(0))
	}
	for _, h := range a.AnyStatusHomeIDs {
		status.AddShould(bluge.NewTermQuery(h).SetField("home").SetBoost(0))
	}
	return bluge.NewBooleanQuery().AddMust(spots, status).SetBoost(0)
}

// bareRequest is the query, the access filter (nil: none) and two terms
// aggregations (type and spot), top 20; browsing sorts newest first.
func bareRequest(q *search.Query, a *search.Access) (bluge.SearchRequest, error) {
	text, err := bareQuery(q.Root)
	if err != nil {
		return nil, err
	}
	full := text
	if a != nil {
		full = bluge.NewBooleanQuery().AddMust(text, bareAccess(a))
	}
	req := bluge.NewTopNSearch(20, full).WithStandardAggregations()
	if _, browse := q.Root.(*search.All); browse {
		req.SortBy([]string{"-created"})
	}
	req.AddAggregation("type", aggregations.NewTermsAggregation(bsearch.Field("kind"), 100))
	req.AddAggregation("spot", aggregations.NewTermsAggregation(bsearch.Field("spot_id"), 1000))
	return req, nil
}

// runBare runs req, reads its hits and returns the total.
func runBare(ctx context.Context, r *bluge.Reader, req bluge.SearchRequest) (int, error) {
	it, err := r.Search(ctx, req)
	if err != nil {
		return 0, err
	}
	for {
		m, err := it.Next()
		if err != nil {
			return 0, err
		}
		if m == nil {
			break
		}
	}
	return int(it.Aggregations().Count()), nil
}

// openBare builds the bare index of every item in e's store, or with
// -reuse opens the one an earlier run built.
func openBare(ctx context.Context, cfg config, e *env, rep *report, log io.Writer) (*bluge.Reader, error) {
	dir := filepath.Join(cfg.data, "bare")
	if cfg.reuse {
		if _, err := os.Stat(dir); err == nil {
			logf(log, "reusing the bare index")
			return bluge.OpenReader(bluge.DefaultConfig(dir))
		}
	}
	logf(log, "bare Bluge index of the same documents")
	r, bt, err := buildBare(ctx, e.db, dir, 500)
	if err != nil {
		return nil, err
	}
	rep.bare = bt
	logf(log, "bare: %d documents, engine %v, reading %v", bt.n, bt.engine.Round(time.Millisecond), bt.read.Round(time.Millisecond))
	return r, nil
}
