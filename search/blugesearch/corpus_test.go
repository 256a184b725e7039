package blugesearch_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase/internal/synthcorpus"
	"github.com/briefcasehq/briefcase/search"
)

// A synthetic sales-content corpus for the benchmarks: ~300-word bodies
// drawn from a Zipf-distributed vocabulary (English function words most
// frequent, then sales and marketing words, then a long tail of rarer
// words), titles and descriptions, spots, lists in groups, labels and
// owners. Deterministic for a seed.

// The vocabulary and its word generator are internal/synthcorpus's, which
// the service benchmarks (search_bench_test.go, internal/cmd/searchbench)
// draw from too; the draws below are unchanged, so the corpus is the one
// the numbers in BENCHMARKS.md were measured on.
var (
	// commonWords are the most frequent words, most frequent first.
	commonWords = synthcorpus.CommonWords()
	// salesWords are the subject matter, roughly most frequent first.
	salesWords = synthcorpus.SalesWords()
)

// corpus is the generated documents and what the queries draw from.
type corpus struct {
	docs      []search.Document
	vocab     []string
	spotIDs   []string
	spotNames []string
	listIDs   [][]string // by group
	phrases   []string   // two-word phrases taken from the bodies
	phrases3  []string   // three-word phrases taken from the bodies
}

var (
	kinds    = []string{"document", "presentation", "pdf", "video", "image", "spreadsheet", "link", "page", "track", "remix"}
	statuses = []string{"published", "published", "published", "published", "published", "published", "expiring", "expired", "draft", "archived"}
	regions  = []string{"EMEA", "AMER", "APJ", "Global", "LATAM"}
)

func newCorpus(n int, seed uint64) *corpus {
	r := rand.New(rand.NewPCG(seed, 42))
	c := &corpus{}
	c.vocab = append(append(append([]string{}, commonWords...), salesWords...), synthcorpus.TailWords(20000, r)...)
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(c.vocab)-1))
	word := func() string { return c.vocab[zipf.Uint64()] }
	subject := func() string { return salesWords[r.IntN(len(salesWords))] }
	sentence := func(words int) string {
		ws := make([]string, words)
		for i := range ws {
			ws[i] = word()
		}
		ws[0] = synthcorpus.Capitalize(ws[0])
		return strings.Join(ws, " ") + "."
	}
	title := func() string {
		ws := make([]string, 3+r.IntN(5))
		for i := range ws {
			if r.IntN(3) == 0 {
				ws[i] = word()
			} else {
				ws[i] = subject()
			}
		}
		return strings.Join(ws, " ")
	}
	const spots = 200
	for i := range spots {
		c.spotIDs = append(c.spotIDs, fmt.Sprintf("spot-%03d", i))
		c.spotNames = append(c.spotNames, fmt.Sprintf("%s %s %s", regions[i%len(regions)], synthcorpus.Capitalize(subject()), []string{"Sales", "Marketing", "Product", "Partners"}[i%4]))
	}
	for g := range 5 {
		var ids []string
		for l := range 10 {
			ids = append(ids, fmt.Sprintf("list-%d-%d", g, l))
		}
		c.listIDs = append(c.listIDs, ids)
	}
	labels := make([]string, 40)
	for i := range labels {
		labels[i] = subject()
	}
	people := make([]string, 100)
	for i := range people {
		people[i] = fmt.Sprintf("%s %s", synthcorpus.Capitalize(synthcorpus.TailWords(1, r)[0]), synthcorpus.Capitalize(synthcorpus.TailWords(1, r)[0]))
	}
	spotZipf := rand.NewZipf(r, 1.2, 4, spots-1)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		d := search.Document{
			ID:          fmt.Sprintf("item-%07d", i),
			Title:       title(),
			Description: sentence(15 + r.IntN(15)),
			Kind:        kinds[r.IntN(len(kinds))],
			Audience:    []string{"internal", "external"}[r.IntN(2)],
			Status:      statuses[r.IntN(len(statuses))],
			Author:      people[r.IntN(len(people))],
			CreatedAt:   base.Add(time.Duration(r.IntN(730*24)) * time.Hour).Add(time.Duration(r.IntN(1e6)) * time.Microsecond),
			Trending:    float64(r.IntN(1000)) / 10,
			Popular:     float64(r.IntN(100000)),
			Promoted:    r.IntN(50) == 0,
			Flagged:     r.IntN(40) == 0,
		}
		d.UpdatedAt = d.CreatedAt.Add(time.Duration(r.IntN(100)) * time.Hour)
		if d.Audience == "external" {
			d.ExternalTitle = title()
		}
		home := int(spotZipf.Uint64())
		d.HomeSpotID = c.spotIDs[home]
		d.SpotIDs = []string{d.HomeSpotID}
		d.SpotNames = []string{c.spotNames[home]}
		for range r.IntN(3) {
			s := r.IntN(spots)
			if s != home {
				d.SpotIDs = append(d.SpotIDs, c.spotIDs[s])
				d.SpotNames = append(d.SpotNames, c.spotNames[s])
			}
		}
		for g := range c.listIDs {
			if r.IntN(3) == 0 {
				l := r.IntN(len(c.listIDs[g]))
				d.ListIDs = append(d.ListIDs, c.listIDs[g][l])
				d.ListNames = append(d.ListNames, fmt.Sprintf("List %d %s", g, subject()))
			}
		}
		for range r.IntN(4) {
			d.Labels = append(d.Labels, labels[r.IntN(len(labels))])
		}
		d.Owners = []string{people[r.IntN(len(people))]}
		// ~300 words over three pages.
		for range 3 {
			var page []string
			words := 0
			for words < 100 {
				k := 6 + r.IntN(14)
				page = append(page, sentence(k))
				words += k
			}
			d.Pages = append(d.Pages, strings.Join(page, " "))
		}
		if i%50 == 0 {
			toks := search.Terms(d.Pages[0])
			p := r.IntN(len(toks) - 3)
			c.phrases = append(c.phrases, toks[p]+" "+toks[p+1])
			c.phrases3 = append(c.phrases3, toks[p]+" "+toks[p+1]+" "+toks[p+2])
		}
		c.docs = append(c.docs, d)
	}
	return c
}
