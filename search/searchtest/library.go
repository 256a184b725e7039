package searchtest

import (
	"slices"

	"github.com/briefcasehq/briefcase/search"
)

// The suite's library: fourteen documents of a sales team, in three spots
// and four lists. Most subtests search it; the expected results in the
// tests are written out by hand from this page, so keep them in step.
//
//	spot-pm    Product Marketing    list-fin    Financial Services (industry)
//	spot-se    Sales Enablement     list-health Healthcare         (industry)
//	spot-emea  EMEA Field Team      list-q3     Q3 Launch          (campaign)
//	                                list-onb    New Hire Onboarding (campaign)
//
//	id                    kind          audience  status     home  also   lists       created           trend pop  flagged
//	overview-deck         presentation  external  published  pm    emea   q3          2026-01-05 09:30  8.5   120
//	globex-battlecard     document      internal  published  se    emea   -           2026-02-10 14:00  12    80
//	northwind-case-study  pdf           external  published  pm    -      fin         2026-03-01 10:00  3     45
//	healthcare-stories    pdf           external  published  pm    -      health      2026-03-01 10:00  3     45
//	q3-pricing-draft      presentation  internal  draft      se    -      q3          2026-04-02 16:45  0     0
//	security-whitepaper   pdf           external  published  pm    emea   fin health  2025-11-20 08:00  1     200
//	discovery-script      document      internal  published  se    -      onb         2026-01-20 11:15  5     60
//	roi-calculator        spreadsheet   internal  published  se    -      fin onb     2026-02-10 14:00  12    30
//	roi-calculator-emea   spreadsheet   internal  published  emea  -      fin         2026-02-12 09:00  0     30
//	demo-video            video         external  published  pm    emea   q3          2026-05-01 12:00  20    90
//	follow-up-emails      document      internal  published  se    -      onb         2026-05-01 12:00  5     10
//	partner-onboarding    document      external  in_review  emea  se     onb         2026-04-15 13:30  0     0
//	pricing-sheet-2024    pdf           internal  expired    se    -      -           2024-01-15 09:00  30    150  yes
//	initech-battlecard    document      internal  expired    se    -      -           2026-05-20 09:00  30    5    yes
//
// Ties are deliberate: two documents share a CreatedAt, a trending value,
// a popularity or a lower-cased title, so that the ID tie-breaks show.
func library() []search.Document {
	docs := []search.Document{
		{
			ID: "overview-deck", Title: "Acme Platform Overview", ExternalTitle: "Welcome to Acme",
			Description:         "Corporate pitch deck introducing the platform to new prospects",
			ExternalDescription: "An introduction to Acme for buyers",
			Pages: []string{
				"Acme helps revenue teams find the right content.",
				"Pricing tiers: Starter, Growth and Enterprise.",
				"Customer logos and next steps.",
			},
			HomeSpotID: "spot-pm", SpotIDs: ids("spot-emea"), ListIDs: ids("list-q3"),
			Labels: ids("pitch deck", "corporate"), Author: "Dana Reyes", Owners: ids("dana", "Dana Reyes", "marketing"),
			Kind: "presentation", Audience: "external", Status: "published",
			Promoted: true, PromotedKeywords: ids("overview", "intro deck"),
			CreatedAt: at("2026-01-05 09:30"), UpdatedAt: at("2026-02-01 10:00"), Trending: 8.5, Popular: 120,
		},
		{
			ID: "globex-battlecard", Title: "Battlecard: Acme vs Globex",
			Description: "How to win against Globex on price and integrations",
			Pages: []string{
				"Globex leads with steep discounts.",
				"Objection handling: our pricing is transparent.",
				"Landmines to lay during discovery.",
			},
			HomeSpotID: "spot-se", SpotIDs: ids("spot-emea"),
			Labels: ids("competitive", "battlecard"), Author: "Sam Okafor", Owners: ids("sam", "Sam Okafor"),
			Kind: "document", Audience: "internal", Status: "published",
			CreatedAt: at("2026-02-10 14:00"), UpdatedAt: at("2026-02-11 09:00"), Trending: 12, Popular: 80,
		},
		{
			ID: "northwind-case-study", Title: "Northwind Bank Case Study",
			ExternalTitle: "How Northwind Bank Onboards Advisors 40% Faster",
			Description:   "A regional bank cut onboarding time by 40%",
			Pages: []string{
				"Northwind Bank is a regional bank with 300 advisors.",
				"Results: 40% faster onboarding and a single source of truth.",
			},
			HomeSpotID: "spot-pm", ListIDs: ids("list-fin"),
			Labels: ids("case study", "banking"), Author: "Dana Reyes", Owners: ids("dana", "Dana Reyes"),
			Kind: "pdf", Audience: "external", Status: "published",
			CreatedAt: at("2026-03-01 10:00"), UpdatedAt: at("2026-03-02 10:00"), Trending: 3, Popular: 45,
		},
		{
			ID: "healthcare-stories", Title: "Customer Stories: Healthcare",
			Description: "Three hospitals that rolled out Acme",
			Pages: []string{
				"St. Mary's Hospital trained 400 nurses in a week.",
				"Customers' feedback: the mobile app saves time on every shift.",
			},
			HomeSpotID: "spot-pm", ListIDs: ids("list-health"),
			Labels: ids("case study"), Author: "Lee Chen", Owners: ids("lee", "Lee Chen"),
			Kind: "pdf", Audience: "external", Status: "published",
			CreatedAt: at("2026-03-01 10:00"), UpdatedAt: at("2026-03-01 10:00"), Trending: 3, Popular: 45,
		},
		{
			ID: "q3-pricing-draft", Title: "Q3 Pricing Update",
			Description: "Draft price changes for the Q3-2026 launch",
			Pages:       []string{"New list prices take effect on July 1."},
			HomeSpotID:  "spot-se", ListIDs: ids("list-q3"),
			Labels: ids("pricing"), Author: "Sam Okafor", Owners: ids("sam", "Sam Okafor", "pricing-committee"),
			Kind: "presentation", Audience: "internal", Status: "draft",
			CreatedAt: at("2026-04-02 16:45"), UpdatedAt: at("2026-04-03 08:00"),
		},
		{
			ID: "security-whitepaper", Title: "Enterprise Security Whitepaper",
			Description: "SOC 2, encryption and data residency for security reviews",
			Pages: []string{
				"All customer data is encrypted at rest and in transit.",
				"Data residency in the EU and the US.",
			},
			HomeSpotID: "spot-pm", SpotIDs: ids("spot-emea"), ListIDs: ids("list-fin", "list-health"),
			Labels: ids("security", "compliance"), Author: "Priya Natarajan", Owners: ids("priya", "Priya Natarajan"),
			Kind: "pdf", Audience: "external", Status: "published",
			CreatedAt: at("2025-11-20 08:00"), UpdatedAt: at("2026-01-10 08:00"), Trending: 1, Popular: 200,
		},
		{
			ID: "discovery-script", Title: "Discovery Call Script",
			Description: "Questions for the first call with a prospect",
			Pages: []string{
				"Ask how the team finds content today.",
				"Who signs the contract, and when?",
			},
			HomeSpotID: "spot-se", ListIDs: ids("list-onb"),
			Labels: ids("discovery", "talk track"), Author: "Sam Okafor", Owners: ids("sam", "Sam Okafor"),
			Kind: "document", Audience: "internal", Status: "published",
			CreatedAt: at("2026-01-20 11:15"), UpdatedAt: at("2026-01-20 11:15"), Trending: 5, Popular: 60,
		},
		{
			ID: "roi-calculator", Title: "ROI calculator",
			Description: "Spreadsheet that estimates hours saved and payback",
			Pages:       []string{"Inputs: team size, hours saved per week, hourly cost."},
			HomeSpotID:  "spot-se", ListIDs: ids("list-fin", "list-onb"),
			Labels: ids("roi"), Author: "Priya Natarajan", Owners: ids("priya"),
			Kind: "spreadsheet", Audience: "internal", Status: "published",
			CreatedAt: at("2026-02-10 14:00"), UpdatedAt: at("2026-02-10 14:00"), Trending: 12, Popular: 30,
		},
		{
			ID: "roi-calculator-emea", Title: "ROI Calculator", ExternalTitle: "ROI Calculator (EUR)",
			Description: "EMEA edition with prices in euros",
			Pages:       []string{"Inputs in euros; VAT excluded."},
			HomeSpotID:  "spot-emea", ListIDs: ids("list-fin"),
			Labels: ids("roi", "emea"), Author: "Priya Natarajan", Owners: ids("priya"),
			Kind: "spreadsheet", Audience: "internal", Status: "published",
			CreatedAt: at("2026-02-12 09:00"), UpdatedAt: at("2026-02-12 09:00"), Popular: 30,
		},
		{
			ID: "demo-video", Title: "Product Demo Video",
			Description: "Ten-minute walkthrough of search and pitching",
			Pages:       []string{"Transcript: today I will show you how sellers find the right deck in seconds."},
			HomeSpotID:  "spot-pm", SpotIDs: ids("spot-emea"), ListIDs: ids("list-q3"),
			Labels: ids("demo"), Author: "Lee Chen", Owners: ids("lee", "Lee Chen"),
			Kind: "video", Audience: "external", Status: "published",
			CreatedAt: at("2026-05-01 12:00"), UpdatedAt: at("2026-05-02 12:00"), Trending: 20, Popular: 90,
		},
		{
			ID: "follow-up-emails", Title: "Follow-up E-mail Templates",
			Description: "Templates to send after a demo",
			Pages: []string{
				"Subject: Great to meet you today.",
				"Subject: The deck we discussed.",
			},
			HomeSpotID: "spot-se", ListIDs: ids("list-onb"),
			Labels: ids("email", "templates"), Author: "Sam Okafor", Owners: ids("sam"),
			Kind: "document", Audience: "internal", Status: "published",
			CreatedAt: at("2026-05-01 12:00"), UpdatedAt: at("2026-05-01 12:00"), Trending: 5, Popular: 10,
		},
		{
			ID: "partner-onboarding", Title: "Partner Onboarding Guide",
			Description: "How resellers get certified",
			Pages: []string{
				"Step 1: complete the partner training.",
				"Step 2: pass the certification exam.",
			},
			HomeSpotID: "spot-emea", SpotIDs: ids("spot-se"), ListIDs: ids("list-onb"),
			Labels: ids("partners"), Author: "Lee Chen", Owners: ids("lee"),
			Kind: "document", Audience: "external", Status: "in_review",
			CreatedAt: at("2026-04-15 13:30"), UpdatedAt: at("2026-04-15 13:30"),
		},
		{
			ID: "pricing-sheet-2024", Title: "2024 Pricing Sheet",
			Description: "Old list prices, kept for renewals",
			Pages:       []string{"Starter 10 USD, Growth 20 USD per seat."},
			HomeSpotID:  "spot-se",
			Labels:      ids("pricing"), Author: "Sam Okafor", Owners: ids("sam"),
			Kind: "pdf", Audience: "internal", Status: "expired", Flagged: true,
			CreatedAt: at("2024-01-15 09:00"), UpdatedAt: at("2024-01-15 09:00"), Trending: 30, Popular: 150,
		},
		{
			ID: "initech-battlecard", Title: "Battlecard: Acme vs Initech",
			Description: "Retired: Initech was acquired",
			Pages:       []string{"Initech pricing objections."},
			HomeSpotID:  "spot-se",
			Labels:      ids("competitive", "battlecard"), Author: "Sam Okafor", Owners: ids("sam"),
			Kind: "document", Audience: "internal", Status: "expired", Flagged: true,
			CreatedAt: at("2026-05-20 09:00"), UpdatedAt: at("2026-05-20 09:00"), Trending: 30, Popular: 5,
		},
	}
	for i := range docs {
		placeIn(&docs[i])
	}
	return docs
}

var (
	spotNames = map[string]string{"spot-pm": "Product Marketing", "spot-se": "Sales Enablement", "spot-emea": "EMEA Field Team"}
	listNames = map[string]string{"list-fin": "Financial Services", "list-health": "Healthcare", "list-q3": "Q3 Launch", "list-onb": "New Hire Onboarding"}
)

// placeIn completes a fixture the way the follower builds documents:
// SpotIDs starts with the home, then the placements, and SpotNames and
// ListNames name them.
func placeIn(d *search.Document) {
	d.SpotIDs = append(ids(d.HomeSpotID), d.SpotIDs...)
	d.SpotNames = nil
	for _, id := range d.SpotIDs {
		d.SpotNames = append(d.SpotNames, spotNames[id])
	}
	d.ListNames = nil
	for _, id := range d.ListIDs {
		d.ListNames = append(d.ListNames, listNames[id])
	}
}

// libraryIDs are the IDs of library(), sorted.
func libraryIDs() []string {
	var out []string
	for _, d := range library() {
		out = append(out, d.ID)
	}
	return sorted(out...)
}

// except returns libraryIDs() without the given IDs.
func except(drop ...string) []string {
	var out []string
	for _, id := range libraryIDs() {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// plain returns a minimal published, internal document for the subtests
// that build their own small index: visible to everyone, no signals.
func plain(id, title string, mods ...func(*search.Document)) search.Document {
	d := search.Document{
		ID: id, Title: title, HomeSpotID: "spot-se", SpotIDs: ids("spot-se"), SpotNames: ids("Sales Enablement"),
		Kind: "document", Audience: "internal", Status: "published",
		CreatedAt: at("2026-01-01 09:00"), UpdatedAt: at("2026-01-01 09:00"),
	}
	for _, m := range mods {
		m(&d)
	}
	return d
}
