package main

import (
	"fmt"
	"io"
	"time"
)

// report collects the measurements and prints them as Markdown.
type report struct {
	cfg  config
	cpus int

	load       time.Duration
	reindex    time.Duration
	reindexN   int
	oursEngine buildTimes
	bare       buildTimes

	visible, spots int
	queries        []*queryRow
	spotsList      latencies
	adminBrowse    *queryRow
	bareNoFilter   *queryRow

	visAPI, visFollow, visSearch latencies
	visSearchPolls               int

	rss string
	// Share of the machine other processes used while indexing and
	// while querying.
	othersBuild, othersQueries string
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2f ms", float64(d)/1e6)
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "\n### searchbench: %d items, seed %d, %d CPUs\n\n", r.cfg.items, r.cfg.seed, r.cpus)
	if r.load > 0 {
		fmt.Fprintf(w, "Corpus generated and loaded into SQLite in %v (%s items/s).\n\n", r.load.Round(time.Millisecond), rate(r.cfg.items, r.load))
	}
	if r.reindex > 0 {
		fmt.Fprintln(w, "| indexing | documents | time | items/s |")
		fmt.Fprintln(w, "|---|---|---|---|")
		fmt.Fprintf(w, "| `Library.Reindex` (read the store, build documents, blugesearch) | %d | %v | %s |\n",
			r.reindexN, r.reindex.Round(time.Millisecond), rate(r.reindexN, r.reindex))
		fmt.Fprintf(w, "| blugesearch `Build`, documents prebuilt (engine only) | %d | %v | %s |\n",
			r.oursEngine.n, r.oursEngine.engine.Round(time.Millisecond), rate(r.oursEngine.n, r.oursEngine.engine))
		fmt.Fprintf(w, "| bare Bluge batches of 500, documents prebuilt (engine only) | %d | %v | %s |\n",
			r.bare.n, r.bare.engine.Round(time.Millisecond), rate(r.bare.n, r.bare.engine))
		fmt.Fprintf(w, "| bare Bluge including reading the same documents from the store | %d | %v | %s |\n",
			r.bare.n, (r.bare.read + r.bare.engine).Round(time.Millisecond), rate(r.bare.n, r.bare.read+r.bare.engine))
		reindexRate := float64(r.reindexN) / r.reindex.Seconds()
		fmt.Fprintf(w, "\nOther processes used %s while the indexes were built.\n", r.othersBuild)
		fmt.Fprintf(w, "\nReindex / bare engine: %.2fx; reindex / bare including reads: %.2fx; blugesearch engine / bare engine: %.2fx. Reading the documents from the store took %v.\n\n",
			reindexRate/(float64(r.bare.n)/r.bare.engine.Seconds()),
			reindexRate/(float64(r.bare.n)/(r.bare.read+r.bare.engine).Seconds()),
			(float64(r.oursEngine.n)/r.oursEngine.engine.Seconds())/(float64(r.bare.n)/r.bare.engine.Seconds()),
			r.bare.read.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "Searches as %s, who sees %d of %d spots; %d queries per kind, each run %d times after a warm-up. "+
		"Library.Search computes four facets (spot, list, type, audience) and re-ranks a window of %d; "+
		"the bare query is the same query, access filter, top 20 and two terms aggregations (type, spot).\n\n",
		r.cfg.as, r.visible, r.spots, r.cfg.queries, r.cfg.passes, 200)
	fmt.Fprintf(w, "Other processes used %s while the queries ran.\n\n", r.othersQueries)
	fmt.Fprintln(w, "| query | Library.Search p50 / p99 | blugesearch engine p50 / p99 | bare Bluge p50 / p99 | ours / bare p50 | ours / bare p99 | avg total ours / bare |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	rows := append(append([]*queryRow{}, r.queries...), r.adminBrowse, r.bareNoFilter)
	for _, q := range rows {
		if q == nil {
			continue
		}
		fmt.Fprintf(w, "| %s | %s / %s | %s / %s | %s / %s | %s | %s | %d / %d |\n", q.kind,
			ms(q.ours.pct(0.5)), ms(q.ours.pct(0.99)), ms(q.engine.pct(0.5)), ms(q.engine.pct(0.99)),
			ms(q.bare.pct(0.5)), ms(q.bare.pct(0.99)), ratio(q.ours.pct(0.5), q.bare.pct(0.5)),
			ratio(q.ours.pct(0.99), q.bare.pct(0.99)), q.oursTotal/max(q.queries, 1), q.bareTotal/max(q.queries, 1))
	}
	fmt.Fprintln(w, "\nWhere Library.Search's time goes: its parts timed one by one after each search (p50 of each part; the parts of one search do not add up exactly to its total).")
	fmt.Fprintln(w, "\n| query | Library.Search | visible spots (`spots.Service.List`) | engine | `GetItem` of the page's hits | `GetVersion` of the page's hits | highlights and passages |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, q := range rows {
		if q == nil || q.stages == nil || q == r.bareNoFilter {
			continue
		}
		st := q.stages
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", q.kind, ms(q.ours.pct(0.5)), ms(st.spots.pct(0.5)),
			ms(q.engine.pct(0.5)), ms(st.items.pct(0.5)), ms(st.versions.pct(0.5)), ms(st.highlights.pct(0.5)))
	}
	fmt.Fprintf(w, "\nThe visible spots alone (`spots.Service.List`, which Library.Search calls per search): p50 %s, p99 %s.\n\n",
		ms(r.spotsList.pct(0.5)), ms(r.spotsList.pct(0.99)))
	fmt.Fprintf(w, "| write visible in search (%d writes each) | p50 | p99 | max |\n|---|---|---|---|\n", r.cfg.writes)
	for _, v := range []struct {
		what string
		l    latencies
	}{
		{"POST /api/v1/items (the handler wakes the follower), until the index holds it", r.visAPI},
		{"items.Service.Create (no wake: another node, the CLI), until the follower's poll indexes it", r.visFollow},
		{"items.Service.Create, until Library.Search finds it (a search catches the index up first)", r.visSearch},
	} {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", v.what, ms(v.l.pct(0.5)), ms(v.l.pct(0.99)), ms(v.l.pct(1)))
	}
	fmt.Fprintf(w, "\nLibrary.Search found every write on its first try: %v.\n", r.visSearchPolls == 1)
	fmt.Fprintf(w, "\nResident memory of a fresh process that opened the data directory as `briefcase serve` does: %s.\n", r.rss)
}
