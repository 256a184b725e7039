package search

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Ranking tunes how text relevance becomes the final order. The engine
// scores text with Boosts; the service then re-ranks the top Window hits:
//
//	score = text × promoted × (1 + TrendingWeight·t/(t+TrendingHalf)) × (1 + FreshnessWeight·½^(age/FreshnessHalfLife))
//
// and orders them in three tiers: promoted items whose promoted keywords
// the query names, then everything else, then flagged (expired) items.
// Zero fields take the defaults of DefaultRanking.
type Ranking struct {
	Boosts Boosts
	// PromotedBoost multiplies the score of a promoted item.
	PromotedBoost float64
	// TrendingWeight is the most the trending signal adds (0.25: +25%);
	// TrendingHalf is the trending value that earns half of it.
	TrendingWeight float64
	TrendingHalf   float64
	// FreshnessWeight is what an item updated just now gains (0.1: +10%);
	// the gain halves every FreshnessHalfLife.
	FreshnessWeight   float64
	FreshnessHalfLife time.Duration
	// Window is how many of the engine's top hits are re-ranked; relevance
	// pages beyond it fetch a larger window.
	Window int
	// NoTrending and NoFreshness turn those boosts off (a zero weight means
	// the default).
	NoTrending, NoFreshness bool
}

// DefaultRanking returns the defaults.
func DefaultRanking() Ranking {
	return Ranking{Boosts: DefaultBoosts(), PromotedBoost: 1.5, TrendingWeight: 0.25, TrendingHalf: 10,
		FreshnessWeight: 0.1, FreshnessHalfLife: 90 * 24 * time.Hour, Window: 200}
}

func (r Ranking) withDefaults() Ranking {
	d := DefaultRanking()
	def := func(v *float64, dv float64) {
		if *v <= 0 {
			*v = dv
		}
	}
	def(&r.Boosts.Title, d.Boosts.Title)
	def(&r.Boosts.Description, d.Boosts.Description)
	def(&r.Boosts.Body, d.Boosts.Body)
	def(&r.Boosts.Spot, d.Boosts.Spot)
	def(&r.Boosts.List, d.Boosts.List)
	def(&r.Boosts.Label, d.Boosts.Label)
	def(&r.Boosts.Author, d.Boosts.Author)
	def(&r.Boosts.Owner, d.Boosts.Owner)
	def(&r.PromotedBoost, d.PromotedBoost)
	def(&r.TrendingWeight, d.TrendingWeight)
	def(&r.TrendingHalf, d.TrendingHalf)
	def(&r.FreshnessWeight, d.FreshnessWeight)
	if r.FreshnessHalfLife <= 0 {
		r.FreshnessHalfLife = d.FreshnessHalfLife
	}
	if r.Window <= 0 {
		r.Window = d.Window
	}
	if r.NoTrending {
		r.TrendingWeight = 0
	}
	if r.NoFreshness {
		r.FreshnessWeight = 0
	}
	return r
}

// Tiers of the final order.
const (
	tierPromotedKeyword = 0
	tierNormal          = 1
	tierFlagged         = 2
)

// Factor is one multiplier of the final score, for Explain.
type Factor struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Why   string  `json:"why"`
}

// ranked is a hit with its final score and tier.
type ranked struct {
	hit     EngineHit
	score   float64
	tier    int
	factors []Factor
}

// rerank computes a hit's final score from its text score and signals.
// queryTerms are the query's positive terms (normalized), for promoted
// keywords.
func (r Ranking) rerank(h EngineHit, queryTerms []string, now time.Time) ranked {
	out := ranked{hit: h, score: h.Score, tier: tierNormal}
	s := h.Summary
	if s.Promoted {
		out.score *= r.PromotedBoost
		out.factors = append(out.factors, Factor{"promoted", r.PromotedBoost, "the item is promoted"})
		if kw := promotedMatch(s.PromotedKeywords, queryTerms); kw != "" {
			out.tier = tierPromotedKeyword
			out.factors = append(out.factors, Factor{"promoted_keyword", 1,
				"the query names the promoted keyword " + `"` + kw + `"` + ": ranked first"})
		}
	}
	if r.TrendingWeight > 0 && s.Trending > 0 {
		f := 1 + r.TrendingWeight*s.Trending/(s.Trending+r.TrendingHalf)
		out.score *= f
		out.factors = append(out.factors, Factor{"trending", f, "recent engagement"})
	}
	if r.FreshnessWeight > 0 && !s.UpdatedAt.IsZero() {
		age := max(now.Sub(s.UpdatedAt), 0)
		f := 1 + r.FreshnessWeight*math.Exp2(-float64(age)/float64(r.FreshnessHalfLife))
		out.score *= f
		out.factors = append(out.factors, Factor{"freshness", f, "updated " + age.Round(time.Hour).String() + " ago"})
	}
	if s.Flagged {
		out.tier = tierFlagged
		out.factors = append(out.factors, Factor{"flagged", 1, "expired: ranked after every current item"})
	}
	return out
}

// promotedMatch returns the first promoted keyword whose terms all appear
// among the query's terms.
func promotedMatch(keywords, queryTerms []string) string {
	for _, kw := range keywords {
		terms := Terms(kw)
		if len(terms) == 0 {
			continue
		}
		all := true
		for _, t := range terms {
			if !slices.Contains(queryTerms, t) {
				all = false
				break
			}
		}
		if all {
			return kw
		}
	}
	return ""
}

// sortRanked orders by tier, then final score, then ID.
func sortRanked(rs []ranked) {
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.hit.ID, b.hit.ID)
	})
}
