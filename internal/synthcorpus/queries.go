package synthcorpus

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
)

// QueryKind names a family of queries in the search grammar.
type QueryKind string

// Query kinds, each with an example.
const (
	// QueryTerm is one subject word of middling frequency: pricing.
	QueryTerm QueryKind = "term"
	// QueryPhrase is two or three consecutive words of an item's body,
	// mostly frequent words: "the platform of".
	QueryPhrase QueryKind = "phrase"
	// QueryCommonPhrase is two of the most frequent words: "of the", the
	// worst case of a naive phrase search.
	QueryCommonPhrase QueryKind = "common-phrase"
	// QueryBoolean is a AND (b OR c) -d over subject words.
	QueryBoolean QueryKind = "boolean"
	// QueryScoped restricts a word or phrase to a field: title:pricing,
	// label:roadmap, spot:"EMEA Pricing Sales", type:pdf security,
	// author:"Kalo Venri", list:"Case Study".
	QueryScoped QueryKind = "scoped"
	// QueryQuestion is a question: how do we position the renewal tier?
	QueryQuestion QueryKind = "question"
	// QueryBrowse is the empty query: everything visible, newest first.
	QueryBrowse QueryKind = "browse"
)

// QueryKinds lists every kind.
func QueryKinds() []QueryKind {
	return []QueryKind{QueryTerm, QueryPhrase, QueryCommonPhrase, QueryBoolean, QueryScoped, QueryQuestion,
		QueryBrowse}
}

// Queries returns n queries of kind k, the same for the same corpus.
func (c *Corpus) Queries(k QueryKind, n int) []string {
	h := fnv.New64a()
	h.Write([]byte(k))
	r := rand.New(rand.NewPCG(c.opt.Seed, h.Sum64()))
	// Subject words of middling frequency, as the engine benchmarks use.
	words := c.sales[:min(200, len(c.sales))]
	w := func() string { return words[r.IntN(len(words))] }
	common := CommonWords()[:12]
	out := make([]string, 0, n)
	for range n {
		var q string
		switch k {
		case QueryTerm:
			q = w()
		case QueryPhrase:
			q = `"` + c.bodyPhrase(r, 2+r.IntN(2)) + `"`
		case QueryCommonPhrase:
			q = fmt.Sprintf(`"%s %s"`, common[r.IntN(len(common))], common[r.IntN(len(common))])
		case QueryBoolean:
			q = fmt.Sprintf("%s AND (%s OR %s) -%s", w(), w(), w(), w())
		case QueryScoped:
			switch r.IntN(6) {
			case 0:
				q = "title:" + w()
			case 1:
				q = "label:" + c.labels[r.IntN(len(c.labels))]
			case 2:
				q = fmt.Sprintf("spot:%q", c.spots[r.IntN(len(c.spots))].Name)
			case 3:
				q = fmt.Sprintf("type:%s %s", kindWeights[r.IntN(len(kindWeights))].v, w())
			case 4:
				q = fmt.Sprintf("author:%q", c.people[r.IntN(len(c.people))].Name)
			default:
				g := c.groups[r.IntN(len(c.groups))]
				q = fmt.Sprintf("list:%q %s", g.Lists[r.IntN(len(g.Lists))].Name, w())
			}
		case QueryQuestion:
			templates := []string{"how do we %s the %s %s?", "what is our %[2]s %[3]s?",
				"which %[2]s %[3]s should I use?", "where is the latest %[2]s %[3]s?", "who owns the %[2]s %[3]s?"}
			verbs := []string{"price", "position", "sell", "pitch", "explain", "handle"}
			q = fmt.Sprintf(templates[r.IntN(len(templates))], verbs[r.IntN(len(verbs))], w(), w())
		case QueryBrowse:
			q = ""
		default:
			panic(fmt.Sprintf("synthcorpus: unknown query kind %q", k))
		}
		out = append(out, q)
	}
	return out
}

// bodyPhrase returns n consecutive words of a random item's first page,
// lower case, without punctuation.
func (c *Corpus) bodyPhrase(r *rand.Rand, n int) string {
	it := c.Item(r.IntN(c.opt.Items))
	words := strings.Fields(it.Version.Pages[0])
	p := r.IntN(len(words) - n)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = strings.ToLower(strings.TrimSuffix(words[p+i], "."))
	}
	return strings.Join(ws, " ")
}
