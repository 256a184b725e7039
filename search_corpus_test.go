package briefcase_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/extract"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/localblobs"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/blugesearch"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
	"github.com/briefcasehq/briefcase/store/memstore"
	"github.com/briefcasehq/briefcase/store/sqlitestore"
)

// The relevance corpus: the library of Northwind, a company selling an
// analytics platform to banks, hospitals and governments. Every search
// test below runs over it, and the expected results are written out by
// hand from this file: change it and the expectations move with it.
//
// Spots (all but tess's owned by olivia):
//
//	product  Product Hub        product, public, official
//	ent      Enterprise Sales   team, restricted: group sales views
//	ci       Competitive Intel  team, restricted: eddie edits
//	hc       Healthcare Team    team, restricted: vic views
//	launch   Q3 Launch          gtm, restricted: nobody but olivia
//	tess     Tess Spot          tess's personal spot
//
// Principals: ada (admin), olivia (owns every spot), eddie (editor of
// Competitive Intel), vic (viewer of Healthcare Team), sam (in group sales),
// tess (one item in her personal spot), nora (no grants at all).
//
// Lists: Industry (Finance, Healthcare, Public Sector) and Stage
// (Discovery, Proposal, Closing).
//
// Items are created through Library.Items (olivia creates all but tess's),
// with their lists and placements; statuses other than published and draft
// are then set in the store, as the governance sweeper would set them.
// Page text is uploaded as a text/plain version with form feeds between
// pages, which the default extractor (extract.New) splits into pages.
//
// Signals (corpusSignals) come from a fake analytics provider. Titles are
// unique: the tests name items by title.

// corpusNow is the clock of every search: items are Age days older.
var corpusNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

type corpusItem struct {
	Spot          string // spot key
	Title         string
	Description   string
	ExternalTitle string
	Kind          items.Kind
	Audience      items.Audience
	Author        string
	Owners        []spots.Subject // nil: the creator
	Labels        []string
	Lists         []string // list names
	Placements    []string // spot keys
	Status        items.Status
	Promoted      bool
	Keywords      []string
	Age           int // days before corpusNow it was created and last updated
	URL           string
	Pages         []string
}

var (
	extAudience = items.External
	intAudience = items.Internal
)

var corpus = []corpusItem{
	// Product Hub: public.
	{Spot: "product", Title: "Northwind Platform Overview", Kind: items.KindPresentation, Audience: extAudience,
		Description: "Corporate pitch deck that introduces the analytics platform to new prospects",
		Author:      "Maya Chen", Labels: []string{"overview", "pitch deck"}, Lists: []string{"Discovery"}, Age: 40,
		Pages: []string{
			"Northwind turns scattered operational data into decisions your teams trust.",
			"Three pillars: governed data, self-service dashboards and embedded alerts.",
			"Customer logos and next steps for a pilot.",
		}},
	{Spot: "product", Title: "Northwind Pricing Sheet 2026", Kind: items.KindPDF, Audience: extAudience,
		Description: "List prices for the Starter, Growth and Enterprise tiers",
		Author:      "Maya Chen", Labels: []string{"pricing"}, Lists: []string{"Proposal"}, Age: 20,
		Promoted: true, Keywords: []string{"pricing", "price list"},
		Pages: []string{
			"Starter is billed per seat; Growth and Enterprise are billed per platform.",
			"Volume tiers apply above 500 seats.",
		}},
	{Spot: "product", Title: "Enterprise Tier Pricing FAQ", Kind: items.KindDocument, Audience: intAudience,
		Description: "Answers to the pricing questions sellers hear most about the Enterprise tier",
		Author:      "Maya Chen", Labels: []string{"faq", "pricing"}, Lists: []string{"Proposal"}, Age: 35,
		Pages: []string{
			"Pricing for the Enterprise tier includes premium support and a named success manager.",
			"Pricing changes need a signed order form; multi-year pricing locks the rate.",
		}},
	{Spot: "product", Title: "Security Whitepaper", Kind: items.KindPDF, Audience: extAudience,
		Description: "How Northwind protects customer data: encryption, access control and audits",
		Author:      "Raj Patel", Labels: []string{"compliance", "security"}, Lists: []string{"Finance", "Healthcare", "Public Sector"}, Age: 90,
		Pages: []string{
			"Every customer's data is encrypted at rest with AES-256 and in transit with TLS 1.3.",
			"We hold a SOC 2 Type II report and are pursuing FedRAMP Moderate authorization.",
			"Role-based access control and single sign-on come standard.",
		}},
	{Spot: "product", Title: "Data Processing Addendum", Kind: items.KindDocument, Audience: extAudience,
		Description: "Standard DPA for customers subject to GDPR",
		Author:      "Dana Whitfield", Labels: []string{"legal"}, Lists: []string{"Closing"}, Age: 120,
		Pages: []string{
			"This addendum governs the processing of personal data on behalf of the customer.",
			"Subprocessors are listed in schedule two.",
		}},
	{Spot: "product", Title: "Product Demo Video", Kind: items.KindVideo, Audience: extAudience,
		Description: "Twelve minute walkthrough of dashboards and alerts",
		Author:      "Maya Chen", Labels: []string{"demo"}, Lists: []string{"Discovery"}, Age: 15,
		Pages: []string{
			"Transcript: in this demo we build a dashboard from a live warehouse, then set an alert on churn risk.",
		}},
	{Spot: "product", Title: "Customer Onboarding Guide", Kind: items.KindDocument, Audience: intAudience,
		Description: "What happens in the first ninety days after signature",
		Author:      "Dana Whitfield", Labels: []string{"onboarding"}, Age: 60,
		Pages: []string{
			"Week one: kickoff call, admin training and data source connection.",
			"Week four: first dashboards in production and an executive check-in.",
		}},
	{Spot: "product", Title: "Implementation Timeline Template", Kind: items.KindSpreadsheet, Audience: extAudience,
		Description: "Editable timeline for onboarding and rollout",
		Author:      "Dana Whitfield", Labels: []string{"implementation", "onboarding"}, Lists: []string{"Closing"}, Age: 75,
		Pages: []string{
			"Milestones: kickoff, integration, user acceptance testing, go-live.",
		}},
	{Spot: "product", Title: "Northwind ROI Calculator", Kind: items.KindLink, Audience: extAudience,
		Description: "Interactive calculator that estimates payback from analyst hours saved",
		Author:      "Maya Chen", Labels: []string{"roi"}, Lists: []string{"Proposal"}, Age: 50,
		URL: "https://roi.northwind.example/calculator"},
	{Spot: "product", Title: "Mutual Action Plan Template", Kind: items.KindDocument, Audience: extAudience,
		Description: "Shared plan of the steps both teams take to reach a signature",
		Author:      "Olivia Owner", Labels: []string{"template"}, Lists: []string{"Closing"}, Age: 30,
		Pages: []string{
			"A mutual action plan lists owners and dates for security review, legal review and signature.",
		}},
	{Spot: "product", Title: "Release Notes Q2", Kind: items.KindDocument, Audience: intAudience, Status: items.StatusArchived,
		Description: "Features shipped in the second quarter",
		Author:      "Raj Patel", Labels: []string{"release"}, Age: 200,
		Pages: []string{
			"New: scheduled exports, alert routing and a refreshed dashboard builder.",
		}},
	{Spot: "product", Title: "Legacy Pricing 2024", Kind: items.KindPDF, Audience: extAudience, Status: items.StatusExpired,
		Description: "Price list that was valid until the 2025 repackaging",
		Author:      "Maya Chen", Labels: []string{"pricing"}, Lists: []string{"Proposal"}, Age: 500,
		Pages: []string{
			"Pricing for the Basic and Pro plans, billed annually.",
		}},
	{Spot: "product", Title: "Analytics Dashboard Screenshots", Kind: items.KindImage, Audience: extAudience,
		Description: "High resolution screenshots for proposals and slides",
		Author:      "Maya Chen", Labels: []string{"demo", "visuals"}, Age: 45},
	{Spot: "product", Title: "Product Roadmap Preview", Kind: items.KindPresentation, Audience: intAudience, Status: items.StatusDraft,
		Description: "What we plan to ship over the next three quarters",
		Author:      "Raj Patel", Labels: []string{"roadmap"}, Age: 5,
		Pages: []string{
			"Roadmap themes: natural language questions, forecasting and a marketplace of connectors.",
		}},
	{Spot: "product", Title: "API Integration Guide", Kind: items.KindDocument, Audience: extAudience, Status: items.StatusExpiring,
		Description: "REST endpoints, webhooks and authentication",
		Author:      "Raj Patel", Labels: []string{"api", "integration"}, Age: 150,
		Pages: []string{
			"Authenticate with OAuth client credentials.",
			"Webhooks deliver alert events within seconds.",
		}},
	{Spot: "product", Title: "Case Study: First Harbor Bank", Kind: items.KindPDF, Audience: extAudience,
		Description: "A regional bank cut month-end reporting from ten days to two",
		Author:      "Dana Whitfield", Labels: []string{"case study"}, Lists: []string{"Finance", "Closing"}, Placements: []string{"ent"}, Age: 25,
		Pages: []string{
			"First Harbor Bank runs 140 branches across three states.",
			"Results: month-end close in two days and one governed source for regulators.",
		}},
	{Spot: "product", Title: "Case Study: City of Riverton", Kind: items.KindPDF, Audience: extAudience,
		Description: "How a mid-size city published its budget dashboards",
		Author:      "Dana Whitfield", Labels: []string{"case study"}, Lists: []string{"Public Sector", "Closing"}, Age: 65,
		Pages: []string{
			"Riverton publishes spending data to residents every week.",
		}},
	{Spot: "product", Title: "Northwind Brand Guidelines", Kind: items.KindPDF, Audience: intAudience, Status: items.StatusInReview,
		Description: "Logo, colour and voice rules for every asset",
		Author:      "Maya Chen", Labels: []string{"brand"}, Age: 10,
		Pages: []string{
			"Use the full logo on light backgrounds only.",
		}},
	{Spot: "product", Title: "Webinar: Modern Data Governance", Kind: items.KindVideo, Audience: extAudience,
		Description: "Recording of our spring webinar with two customers",
		Author:      "Maya Chen", Labels: []string{"webinar"}, Lists: []string{"Discovery"}, Age: 80,
		Pages: []string{
			"Transcript: governance is not a project, it is a habit. Our customers' data stewards explain how.",
		}},
	{Spot: "product", Title: "Churn Early Warning Playbook", Kind: items.KindDocument, Audience: extAudience,
		Description: "Spot at-risk accounts months before the renewal",
		Author:      "Olivia Owner", Labels: []string{"customer success"}, Age: 50,
		Pages: []string{
			"Signals: falling logins, open support tickets and an executive sponsor who left.",
		}},
	{Spot: "product", Title: "Public Sector Procurement Guide", Kind: items.KindDocument, Audience: extAudience,
		Description: "Buying Northwind through cooperative contracts and GSA schedules",
		Author:      "Dana Whitfield", Labels: []string{"procurement"}, Lists: []string{"Public Sector", "Proposal"}, Age: 55,
		Pages: []string{
			"Agencies can buy through cooperative purchasing vehicles without a new tender.",
		}},

	// Enterprise Sales: restricted, group sales views.
	{Spot: "ent", Title: "Enterprise Discovery Call Guide", Kind: items.KindDocument, Audience: intAudience,
		Description: "Questions for the first call with a large account",
		Author:      "Olivia Owner", Labels: []string{"playbook"}, Lists: []string{"Discovery"}, Age: 28,
		Pages: []string{
			"Open with the business pain: which decisions wait on a spreadsheet today?",
			"Qualify with MEDDICC: metrics, economic buyer, decision criteria, decision process, pain, champion, competition.",
		}},
	{Spot: "ent", Title: "Enterprise Sales Deck", Kind: items.KindPresentation, Audience: extAudience,
		Description: "The main deck for enterprise first meetings",
		Author:      "Maya Chen", Labels: []string{"pitch deck"}, Lists: []string{"Discovery", "Proposal"}, Age: 12,
		Promoted: true, Keywords: []string{"enterprise deck"},
		Pages: []string{
			"Why now: data volumes double every two years while analyst headcount stays flat.",
			"Proof: First Harbor Bank closes its books in two days.",
			"Pricing overview and next steps.",
		}},
	{Spot: "ent", Title: "Objection Handling Playbook", Kind: items.KindDocument, Audience: intAudience,
		Description: "Answers to the ten objections we hear most",
		Author:      "Olivia Owner", Labels: []string{"objections", "playbook"}, Age: 33,
		Pages: []string{
			"Too expensive: anchor on the ROI calculator and the cost of analyst hours.",
			"We already have Acme: pull up the Acme battlecard and ask about their renewal date.",
		}},
	{Spot: "ent", Title: "Proposal Template", Kind: items.KindDocument, Audience: extAudience,
		Description: "Editable proposal with scope, timeline and commercial terms",
		Author:      "Olivia Owner", Labels: []string{"template"}, Lists: []string{"Proposal"}, Age: 22,
		Pages: []string{
			"Section one: executive summary. Section two: scope. Section three: commercial terms.",
		}},
	{Spot: "ent", Title: "Negotiation Guardrails", Kind: items.KindDocument, Audience: intAudience,
		Description: "Discount limits and who signs off on them",
		Author:      "Olivia Owner", Labels: []string{"discount", "pricing"}, Lists: []string{"Closing"}, Age: 18,
		Promoted: true, Keywords: []string{"discount", "pricing"},
		Pages: []string{
			"Never discount before the economic buyer has confirmed the business case.",
			"Discount approvals: up to 10% the account executive decides, up to 20% the regional director approves, above that the CFO handles the approval.",
		}},
	{Spot: "ent", Title: "Finance Vertical Pitch Deck", Kind: items.KindPresentation, Audience: extAudience,
		Description: "Pitch for banks, insurers and asset managers",
		Author:      "Maya Chen", Labels: []string{"pitch deck"}, Lists: []string{"Finance", "Discovery"}, Age: 26,
		Pages: []string{
			"Regulators want lineage: Northwind records where every number came from.",
			"Case studies from First Harbor Bank and two insurers.",
		}},
	{Spot: "ent", Title: "Enterprise Renewal Playbook", Kind: items.KindDocument, Audience: intAudience, Status: items.StatusDraft,
		Description: "How to run a renewal from day 270",
		Author:      "Olivia Owner", Labels: []string{"playbook", "renewal"}, Age: 3,
		Pages: []string{
			"Start the renewal conversation ninety days before the end of the term.",
		}},
	{Spot: "ent", Title: "Q4 Territory Plan", Kind: items.KindSpreadsheet, Audience: intAudience, Status: items.StatusArchived,
		Description: "Named accounts by region for last year's fourth quarter",
		Author:      "Olivia Owner", Labels: []string{"planning"}, Age: 220,
		Pages: []string{
			"Territory assignments for the east and west regions.",
		}},
	{Spot: "ent", Title: "Champion Email Templates", Kind: items.KindDocument, Audience: intAudience,
		Description: "Emails that help a champion sell internally",
		Author:      "Olivia Owner", Labels: []string{"email", "template"}, Lists: []string{"Proposal"}, Age: 42,
		Pages: []string{
			"Template one: the business case in three sentences for your CFO.",
		}},
	{Spot: "ent", Title: "Executive Business Review Deck", Kind: items.KindPresentation, Audience: extAudience,
		Description: "Quarterly review of adoption, value and churn risk with the customer's executives",
		Author:      "Olivia Owner", Owners: []spots.Subject{spots.Group("sales")}, Labels: []string{"executive", "pitch deck"}, Lists: []string{"Closing"}, Age: 38,
		Pages: []string{
			"Adoption by team and by use case, dashboards in use and the value delivered this quarter.",
		}},
	{Spot: "ent", Title: "FedRAMP Readiness Checklist", Kind: items.KindDocument, Audience: intAudience,
		Description: "What a federal agency will ask before it buys",
		Author:      "Dana Whitfield", Labels: []string{"compliance"}, Lists: []string{"Public Sector"}, Age: 48,
		Pages: []string{
			"Confirm the authorization boundary and the agency sponsor.",
			"Continuous monitoring reports go to the agency every month.",
		}},

	// Competitive Intel: restricted, eddie edits.
	{Spot: "ci", Title: "Acme Battlecard", Kind: items.KindDocument, Audience: intAudience,
		Description: "How to win against Acme Analytics",
		Author:      "Raj Patel", Owners: []spots.Subject{spots.User("eddie")}, Labels: []string{"acme", "battlecard"}, Age: 14,
		Promoted: true, Keywords: []string{"acme"},
		Pages: []string{
			"Acme wins on brand; we win on governed data and time to value.",
			"Landmines: ask how long their last Acme upgrade took.",
		}},
	{Spot: "ci", Title: "Globex Battlecard", Kind: items.KindDocument, Audience: intAudience,
		Description: "How to win against Globex BI",
		Author:      "Raj Patel", Owners: []spots.Subject{spots.User("eddie")}, Labels: []string{"battlecard", "globex"}, Age: 21,
		Pages: []string{
			"Globex discounts heavily at quarter end; hold your price and sell the outcome.",
		}},
	{Spot: "ci", Title: "Acme vs Northwind Competitive One-Pager", ExternalTitle: "Why teams switch from Acme", Kind: items.KindPDF, Audience: extAudience,
		Description: "Side by side comparison for buyers evaluating both",
		Author:      "Raj Patel", Labels: []string{"acme", "one-pager"}, Lists: []string{"Discovery"}, Age: 16,
		Pages: []string{
			"Northwind deploys in weeks; switching from Acme takes two weeks with our migration service.",
		}},
	{Spot: "ci", Title: "Globex Pricing Teardown", Kind: items.KindSpreadsheet, Audience: intAudience,
		Description: "Line by line comparison of Globex list prices with ours",
		Author:      "Raj Patel", Labels: []string{"globex", "pricing"}, Age: 31,
		Pages: []string{
			"Globex charges per viewer; we charge per creator.",
		}},
	{Spot: "ci", Title: "Win-Loss Analysis 2025", Kind: items.KindDocument, Audience: intAudience, Status: items.StatusExpired,
		Description: "Why we won and lost competitive deals last year",
		Author:      "Raj Patel", Labels: []string{"win-loss"}, Age: 160,
		Pages: []string{
			"We lost most deals against Acme on price and won most on governance.",
		}},
	{Spot: "ci", Title: "Initech Battlecard", Kind: items.KindDocument, Audience: intAudience, Status: items.StatusDraft,
		Description: "First draft: how to win against Initech",
		Author:      "Raj Patel", Owners: []spots.Subject{spots.User("eddie")}, Labels: []string{"battlecard", "initech"}, Age: 2,
		Pages: []string{
			"Initech bundles analytics with its ERP; we integrate with every ERP.",
		}},
	{Spot: "ci", Title: "Competitive Landscape Overview", Kind: items.KindPresentation, Audience: intAudience,
		Description: "Where each rival is strong and weak",
		Author:      "Raj Patel", Labels: []string{"landscape"}, Placements: []string{"ent"}, Age: 24,
		Pages: []string{
			"Acme, Globex and Initech compared on price, governance and deployment.",
			"See the battlecards for the talk track against each.",
		}},
	{Spot: "ci", Title: "Acme Migration Guide", Kind: items.KindDocument, Audience: extAudience, Status: items.StatusInReview,
		Description: "Step by step move from Acme dashboards to Northwind",
		Author:      "Raj Patel", Labels: []string{"acme", "migration"}, Lists: []string{"Closing"}, Age: 4,
		Pages: []string{
			"Export Acme workbooks, map the data sources, rebuild the top ten dashboards.",
		}},

	// Healthcare Team: restricted, vic views.
	{Spot: "hc", Title: "HIPAA Compliance Brief", Kind: items.KindPDF, Audience: extAudience,
		Description: "How Northwind supports HIPAA obligations for covered entities",
		Author:      "Lena Ortiz", Labels: []string{"compliance", "hipaa"}, Lists: []string{"Healthcare"}, Age: 70,
		Pages: []string{
			"We sign a business associate agreement with every covered entity.",
			"Audit logs record every access to protected health information.",
		}},
	{Spot: "hc", Title: "Healthcare Discovery Questions", Kind: items.KindDocument, Audience: intAudience,
		Description: "What to ask a hospital system in the first meeting",
		Author:      "Lena Ortiz", Labels: []string{"playbook"}, Lists: []string{"Healthcare", "Discovery"}, Age: 44,
		Pages: []string{
			"Which clinical and financial reports does the board review monthly?",
		}},
	{Spot: "hc", Title: "Payer Analytics Pitch Deck", Kind: items.KindPresentation, Audience: extAudience,
		Description: "Pitch for health plans: claims, utilisation and risk",
		Author:      "Lena Ortiz", Labels: []string{"pitch deck"}, Lists: []string{"Healthcare", "Proposal"}, Age: 36,
		Pages: []string{
			"Claims data arrives late and messy; Northwind reconciles it nightly.",
		}},
	{Spot: "hc", Title: "Case Study: Mercy Regional Health", Kind: items.KindPDF, Audience: extAudience,
		Description: "A hospital network cut readmissions with daily risk dashboards",
		Author:      "Lena Ortiz", Labels: []string{"case study"}, Lists: []string{"Healthcare", "Proposal"}, Placements: []string{"product"}, Age: 29,
		Pages: []string{
			"Mercy Regional Health runs nine hospitals.",
			"Results: readmissions down 12% in a year.",
		}},
	{Spot: "hc", Title: "Clinical Workflow Demo Script", Kind: items.KindDocument, Audience: intAudience, Status: items.StatusDraft,
		Description: "Click path for the clinical operations demo",
		Author:      "Lena Ortiz", Labels: []string{"demo"}, Age: 6,
		Pages: []string{
			"Start on the bed capacity dashboard, then drill into discharge delays.",
		}},
	{Spot: "hc", Title: "Healthcare Pricing Addendum", Kind: items.KindPDF, Audience: intAudience, Status: items.StatusExpiring,
		Description: "Pricing terms for hospital systems and health plans",
		Author:      "Lena Ortiz", Labels: []string{"pricing"}, Lists: []string{"Healthcare", "Proposal"}, Age: 85,
		Pages: []string{
			"Hospital systems are priced per licensed bed.",
		}},

	// Q3 Launch: restricted to olivia.
	{Spot: "launch", Title: "Q3 Launch Messaging Framework", Kind: items.KindDocument, Audience: intAudience,
		Description: "Positioning, pillars and proof points for the Q3 release",
		Author:      "Maya Chen", Labels: []string{"launch", "messaging"}, Age: 8,
		Pages: []string{
			"Headline: answers in plain language, from data you already trust.",
		}},
	{Spot: "launch", Title: "Launch Press Release", Kind: items.KindDocument, Audience: extAudience, Status: items.StatusDraft,
		Description: "Embargoed announcement of natural language questions",
		Author:      "Maya Chen", Labels: []string{"launch", "press"}, Age: 1,
		Pages: []string{
			"Northwind today announced natural language questions for every dashboard.",
		}},
	{Spot: "launch", Title: "Partner Enablement Kit", Kind: items.KindPresentation, Audience: extAudience,
		Description: "Slides and talk track for resellers",
		Author:      "Maya Chen", Labels: []string{"partner"}, Age: 9,
		Pages: []string{
			"Resellers earn margin on every platform license they register.",
		}},
	{Spot: "launch", Title: "Launch Pricing Changes", Kind: items.KindDocument, Audience: intAudience,
		Description: "New packaging and pricing that take effect at launch",
		Author:      "Maya Chen", Labels: []string{"pricing"}, Placements: []string{"ent"}, Age: 7,
		Pages: []string{
			"Growth gains alerts; Enterprise gains forecasting at no extra charge.",
		}},

	// Tess's personal spot.
	{Spot: "tess", Title: "Tess Discovery Call Notes", Kind: items.KindDocument, Audience: intAudience,
		Description: "My notes from calls with Harbor Credit Union",
		Author:      "Tess Tran", Labels: []string{"notes"}, Age: 11,
		Pages: []string{
			"They evaluate Acme too; their CFO wants pricing before the pilot.",
		}},
}

// corpusSignals are the analytics signals of a few items, by title.
var corpusSignals = map[string]search.Signal{
	"Northwind Pricing Sheet 2026":  {Trending: 12, Popular: 900},
	"Security Whitepaper":           {Trending: 5, Popular: 650},
	"Enterprise Sales Deck":         {Trending: 30, Popular: 400},
	"Product Demo Video":            {Trending: 22, Popular: 300},
	"Case Study: First Harbor Bank": {Trending: 8, Popular: 210},
	"Acme Battlecard":               {Trending: 50, Popular: 120},
	"Legacy Pricing 2024":           {Trending: 40, Popular: 1000}, // expired: last whatever its signals
}

// fakeSignals serves corpusSignals by item ID.
type fakeSignals struct{ byID map[string]search.Signal }

func (f *fakeSignals) Signals(_ context.Context, ids []string) (map[string]search.Signal, error) {
	out := map[string]search.Signal{}
	for _, id := range ids {
		if s, ok := f.byID[id]; ok {
			out[id] = s
		}
	}
	return out, nil
}

var _ search.Signals = (*fakeSignals)(nil)

// corpusEnv is a Library loaded with the corpus.
type corpusEnv struct {
	*env
	spot  map[string]spots.Spot // by key
	list  map[string]items.List // by name
	id    map[string]string     // item ID by title
	title map[string]string     // title by item ID
}

// searchConfigs are the two configurations every search test runs against:
// the defaults (memstore and the in-memory index) and the server's (SQLite
// and Bluge, both on disk).
var searchConfigs = []struct {
	name string
	open func(t *testing.T) (store.Store, search.Indexer)
}{
	{"memstore+memsearch", func(t *testing.T) (store.Store, search.Indexer) { return memstore.New(), nil }},
	{"sqlite+bluge", func(t *testing.T) (store.Store, search.Indexer) {
		db, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "briefcase.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		idx, err := blugesearch.Open(filepath.Join(t.TempDir(), "index"), blugesearch.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return db, idx
	}},
}

// runCorpus runs fn once per search configuration, over a fresh Library
// loaded with the corpus and caught up. cfg may tune the Library (Ranking).
func runCorpus(t *testing.T, cfg briefcase.Config, fn func(t *testing.T, c *corpusEnv)) {
	for _, sc := range searchConfigs {
		t.Run(sc.name, func(t *testing.T) {
			st, idx := sc.open(t)
			blobs, err := localblobs.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			clk := &clock{now: corpusNow}
			sig := &fakeSignals{byID: map[string]search.Signal{}}
			cfg := cfg
			cfg.Store, cfg.Blobs, cfg.Indexer, cfg.Now, cfg.Signals = st, blobs, idx, clk.Now, sig
			cfg.Extractor = extract.New(extract.Options{NoPDFToText: true}) // text/plain: a page per form feed
			lib, err := briefcase.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { lib.Close() })
			c := &corpusEnv{env: &env{lib: lib, st: st, clock: clk, ctx: context.Background()}}
			c.load(t, sig)
			fn(t, c)
		})
	}
}

// load creates the principals, spots, lists and items of the corpus, then
// catches the index up.
func (c *corpusEnv) load(t *testing.T, sig *fakeSignals) {
	t.Helper()
	ctx := c.ctx
	c.clock.now = corpusNow.AddDate(-2, 0, 0) // before every item
	for _, p := range []spots.Principal{
		{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Roles: []spots.PlatformRole{spots.Admin}, Trainings: contributor},
		{ID: "olivia", Name: "Olivia Owner", Email: "olivia@example.com", Trainings: contributor},
		{ID: "eddie", Name: "Eddie Editor", Email: "eddie@example.com", Trainings: contributor},
		{ID: "vic", Name: "Vic Viewer", Email: "vic@example.com"},
		{ID: "sam", Name: "Sam Seller", Email: "sam@example.com", Groups: []string{"sales"}},
		{ID: "tess", Name: "Tess Tran", Email: "tess@example.com"},
		{ID: "nora", Name: "Nora Newhire", Email: "nora@example.com"},
	} {
		c.user(t, p)
	}
	ada, olivia := c.as(t, "ada"), c.as(t, "olivia")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c.spot = map[string]spots.Spot{}
	var err error
	c.spot["product"], err = c.lib.Spots.Create(ada, spots.NewSpot{Name: "Product Hub", Kind: spots.KindProduct,
		Visibility: spots.Public, Official: true, OwnerID: "olivia"})
	must(err)
	for key, ns := range map[string]spots.NewSpot{
		"ent":    {Name: "Enterprise Sales", Kind: spots.KindTeam},
		"ci":     {Name: "Competitive Intel", Kind: spots.KindTeam},
		"hc":     {Name: "Healthcare Team", Kind: spots.KindTeam},
		"launch": {Name: "Q3 Launch", Kind: spots.KindGTM},
	} {
		c.spot[key], err = c.lib.Spots.Create(olivia, ns)
		must(err)
	}
	c.spot["tess"], err = c.lib.Spots.PersonalSpot(c.as(t, "tess"))
	must(err)
	_, err = c.lib.Spots.Grant(olivia, c.spot["ent"].ID, spots.Group("sales"), spots.Viewer)
	must(err)
	_, err = c.lib.Spots.Grant(olivia, c.spot["ci"].ID, spots.User("eddie"), spots.Editor)
	must(err)
	_, err = c.lib.Spots.Grant(olivia, c.spot["hc"].ID, spots.User("vic"), spots.Viewer)
	must(err)

	c.list = map[string]items.List{}
	for group, names := range map[string][]string{
		"Industry": {"Finance", "Healthcare", "Public Sector"},
		"Stage":    {"Discovery", "Proposal", "Closing"},
	} {
		g, err := c.lib.Items.CreateListGroup(ada, group)
		must(err)
		for _, n := range names {
			c.list[n], err = c.lib.Items.CreateList(ada, g.ID, n)
			must(err)
		}
	}

	c.id, c.title = map[string]string{}, map[string]string{}
	for _, ci := range corpus {
		who := olivia
		if ci.Spot == "tess" {
			who = c.as(t, "tess")
		}
		c.clock.now = corpusNow.AddDate(0, 0, -ci.Age)
		status := items.StatusPublished
		if ci.Status == items.StatusDraft {
			status = items.StatusDraft
		}
		in := items.NewItem{SpotID: c.spot[ci.Spot].ID, Kind: ci.Kind, Title: ci.Title, Description: ci.Description,
			ExternalTitle: ci.ExternalTitle, Audience: ci.Audience, Author: ci.Author, Owners: ci.Owners,
			Labels: ci.Labels, Promoted: ci.Promoted, PromotedKeywords: ci.Keywords, Status: status}
		if ci.URL != "" {
			in.Source = items.Source{Type: items.SourceURL, URL: ci.URL}
		}
		it, err := c.lib.Items.Create(who, in)
		if err != nil {
			t.Fatalf("create %q: %v", ci.Title, err)
		}
		if _, dup := c.id[ci.Title]; dup {
			t.Fatalf("two corpus items are titled %q", ci.Title)
		}
		c.id[ci.Title], c.title[it.ID] = it.ID, ci.Title
		if len(ci.Pages) > 0 {
			v, err := c.lib.Items.AddVersion(who, it.ID, items.NewVersion{Filename: "content.txt", MIMEType: "text/plain; charset=utf-8",
				Body: strings.NewReader(strings.Join(ci.Pages, "\f"))})
			must(err)
			if !slices.Equal(v.Pages, ci.Pages) {
				t.Fatalf("%q: extracted pages %q, want %q", ci.Title, v.Pages, ci.Pages)
			}
		}
		for _, l := range ci.Lists {
			_, err := c.lib.Items.AddToList(who, c.list[l].ID, it.ID)
			must(err)
		}
		for _, p := range ci.Placements {
			_, err := c.lib.Items.Place(who, it.ID, c.spot[p].ID)
			must(err)
		}
		if ci.Status != "" && ci.Status != status {
			// Governance moves items through the rest of the lifecycle.
			cur, err := c.st.GetItem(ctx, it.ID)
			must(err)
			cur.Status = ci.Status
			must(c.st.UpdateItem(ctx, cur))
		}
		if s, ok := corpusSignals[ci.Title]; ok {
			sig.byID[it.ID] = s
		}
	}
	c.clock.now = corpusNow
	if _, err := c.lib.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
}
