package synthcorpus

import (
	"math/rand/v2"
	"strings"
)

// The vocabulary of generated text: English function words most frequent,
// then sales and marketing words, then a long tail of rarer words (product
// names, jargon). Words are drawn with a Zipf distribution over that order,
// so a few words are in almost every document and most are in a few.

const commonWordList = `the of and to a in for is that on with as our by it be at this are from
we your an or can will more their you has have new how not all they which its also about into than up
each one so but out when what who most use these them other per only time over just any both where well`

const salesWordList = `customer sales product team data value platform business market pricing
solution revenue growth account partner service cloud security deal pipeline buyer enterprise
strategy marketing content case study demo onboarding renewal quarter forecast support integration
analytics report training campaign launch roadmap feature release competitive battlecard objection
discovery proposal contract negotiation stakeholder champion procurement budget decision timeline
success adoption retention churn expansion upsell territory quota region emea amer apj industry
finance healthcare retail manufacturing public sector education insurance banking telecom energy
media logistics automotive pharma cybersecurity compliance risk governance privacy identity access
network endpoint workload migration modernization automation workflow productivity collaboration
experience journey persona segment funnel lead opportunity conversion engagement webinar event
whitepaper ebook brochure datasheet one-pager playbook messaging positioning narrative story
reference testimonial award analyst benchmark survey research insight trend outlook executive
summary overview introduction agenda slide deck template guide checklist faq glossary calculator
roi tco savings efficiency cost benefit outcome impact metric kpi dashboard scorecard review
quarterly annual plan goal target milestone initiative program project pilot proof concept
evaluation trial subscription license tier edition bundle package add-on module api sdk
connector marketplace ecosystem channel reseller distributor alliance cosell referral incentive
commission enablement coaching certification curriculum course lesson module assessment quiz`

// CommonWords returns English function words, most frequent first.
func CommonWords() []string { return strings.Fields(commonWordList) }

// SalesWords returns the subject matter of sales content, roughly most
// frequent first. A few words appear twice (module), as they did in the
// list the engine benchmarks were first measured with.
func SalesWords() []string { return strings.Fields(salesWordList) }

// TailWords returns n distinct made-up words of two to four syllables
// (product names, jargon), drawn from r.
func TailWords(n int, r *rand.Rand) []string {
	syl := strings.Fields(`ka lo ri ven tor ax mi sol dra nex qua lin ber tis cor pha zen vo lu ga fen dor ix ma ter`)
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		k := 2 + r.IntN(3)
		var b strings.Builder
		for range k {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// Capitalize upper-cases the first byte of an ASCII word.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// text draws words and sentences from the vocabulary with one random
// source.
type text struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
	sales []string
}

// Zipf parameters: s = 1.07 over the whole vocabulary gives function
// words in nearly every body and a long tail seen a few times.
const zipfS, zipfV = 1.07, 2

func newText(r *rand.Rand, vocab, sales []string) *text {
	return &text{r: r, zipf: rand.NewZipf(r, zipfS, zipfV, uint64(len(vocab)-1)), vocab: vocab, sales: sales}
}

func (t *text) word() string    { return t.vocab[t.zipf.Uint64()] }
func (t *text) subject() string { return t.sales[t.r.IntN(len(t.sales))] }

// sentence is n words, capitalized, ending in a period.
func (t *text) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = t.word()
	}
	ws[0] = Capitalize(ws[0])
	return strings.Join(ws, " ") + "."
}

// title is three to seven words, two thirds of them subject words, in
// title case.
func (t *text) title() string {
	ws := make([]string, 3+t.r.IntN(5))
	for i := range ws {
		if t.r.IntN(3) == 0 {
			ws[i] = Capitalize(t.word())
		} else {
			ws[i] = Capitalize(t.subject())
		}
	}
	return strings.Join(ws, " ")
}

// page is sentences of 6 to 19 words until at least words words.
func (t *text) page(words int) string {
	var b strings.Builder
	for n := 0; n < words; {
		k := 6 + t.r.IntN(14)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.sentence(k))
		n += k
	}
	return b.String()
}
