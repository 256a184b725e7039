package analytics_test

import (
	"fmt"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
)

// The worked example of Attribute's documentation: one opportunity, six
// shares' engagement, three of which count, under every model.
func ExampleAttribute() {
	day := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	opp := analytics.Opportunity{ID: "opp-1", Name: "Acme renewal", AmountCents: 100000, Currency: "USD",
		Closed: true, Won: true, CloseDate: "2025-03-31"}
	contacts := []string{"ana@acme.example", "Ben@Acme.example"}
	rows := []analytics.RecipientTotal{
		{ShareID: "A", ShareOwner: "alice", Recipient: "ana@acme.example", Opens: 1, PageViews: 4,
			FirstAt: day("2025-03-04"), LastAt: day("2025-03-11")},
		{ShareID: "B", ShareOwner: "bob", Recipient: "ben@acme.example", Opens: 2, PageViews: 9,
			FirstAt: day("2025-03-18"), LastAt: day("2025-04-10")},
		{ShareID: "C", ShareOwner: "alice", Recipient: "ana@acme.example", Opens: 1, PageViews: 2,
			FirstAt: day("2025-03-20"), LastAt: day("2025-03-25")},
		{ShareID: "D", ShareOwner: "carol", Recipient: "ana@acme.example", Opens: 1,
			FirstAt: day("2025-04-02"), LastAt: day("2025-04-02")},
		{ShareID: "E", ShareOwner: "bob", Recipient: "ben@acme.example", Bot: true, Opens: 1,
			FirstAt: day("2025-03-30"), LastAt: day("2025-03-30")},
		{ShareID: "F", ShareOwner: "bob", Recipient: "cy@other.example", Opens: 1,
			FirstAt: day("2025-03-15"), LastAt: day("2025-03-15")},
	}
	items := map[string][]analytics.SharedItem{
		"A": {{ItemID: "i1", SpotID: "decks"}, {ItemID: "i2", SpotID: "decks"}},
		"B": {{ItemID: "i3", SpotID: "cases"}},
		"C": {{ItemID: "i1", SpotID: "decks"}},
	}

	touches := analytics.Touches(rows, contacts, opp.ClosesAt())
	for _, t := range touches {
		fmt.Printf("%s %s first %s last %s\n", t.ShareID, t.Owner,
			t.FirstAt.Format(time.DateOnly), t.LastAt.Format(time.DateOnly))
	}
	for _, m := range []analytics.AttributionModel{analytics.AttributeEven, analytics.AttributeFirst,
		analytics.AttributeLast, analytics.AttributeTimeDecay} {
		credits, err := analytics.Attribute(opp.AmountCents, opp.ClosesAt(), touches, analytics.Attribution{Model: m})
		if err != nil {
			panic(err)
		}
		perItem := map[string]int64{}
		perSeller := map[string]int64{}
		fmt.Printf("%s:", m)
		for _, c := range credits {
			fmt.Printf(" %v", c)
			perSeller[c.Owner] += c.AmountCents
			for _, ic := range analytics.SplitItems(c.AmountCents, items[c.ShareID]) {
				perItem[ic.ItemID] += ic.AmountCents
			}
		}
		fmt.Printf("\n  items i1 %s i2 %s i3 %s; sellers alice %s bob %s\n",
			analytics.FormatCents(perItem["i1"]), analytics.FormatCents(perItem["i2"]),
			analytics.FormatCents(perItem["i3"]),
			analytics.FormatCents(perSeller["alice"]), analytics.FormatCents(perSeller["bob"]))
	}
	// Output:
	// A alice first 2025-03-04 last 2025-03-11
	// B bob first 2025-03-18 last 2025-03-18
	// C alice first 2025-03-20 last 2025-03-25
	// even: A 333.34 (0.3333) B 333.33 (0.3333) C 333.33 (0.3333)
	//   items i1 500.00 i2 166.67 i3 333.33; sellers alice 666.67 bob 333.33
	// first: A 1000.00 (1.0000) B 0.00 (0.0000) C 0.00 (0.0000)
	//   items i1 500.00 i2 500.00 i3 0.00; sellers alice 1000.00 bob 0.00
	// last: A 0.00 (0.0000) B 0.00 (0.0000) C 1000.00 (1.0000)
	//   items i1 1000.00 i2 0.00 i3 0.00; sellers alice 1000.00 bob 0.00
	// time_decay: A 142.86 (0.1429) B 285.71 (0.2857) C 571.43 (0.5714)
	//   items i1 642.86 i2 71.43 i3 285.71; sellers alice 714.29 bob 285.71
}
