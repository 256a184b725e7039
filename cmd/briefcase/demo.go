package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/briefcasehq/briefcase"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// The demo data set: a small company ("Acme") selling a data platform, with
// an admin who curates content and a seller who uses it.

// Demo principals.
var (
	demoAdmin = spots.Principal{ID: "demo", Name: "Dana Demo", Email: "demo@example.com",
		Groups: []string{"marketing"}, Roles: []spots.PlatformRole{spots.Admin}}
	demoSeller = spots.Principal{ID: "sam", Name: "Sam Seller", Email: "sam@example.com",
		Groups: []string{"sales"}}
)

// Keys of the demo spots, used by demoItems.
const (
	spotProduct = "product"
	spotLaunch  = "launch"
	spotTeam    = "team"
)

type demoSpot struct {
	key   string
	spec  spots.NewSpot
	grant []spots.Grant // given once the spot exists (SpotID unused)
}

var demoSpots = []demoSpot{
	{key: spotProduct, spec: spots.NewSpot{Name: "Acme Platform",
		Description: "Official product content for the Acme data platform: overview decks, datasheets, security answers and product tours.",
		Kind:        spots.KindProduct, Official: true, Visibility: spots.Public}},
	{key: spotLaunch, spec: spots.NewSpot{Name: "FY26 Enterprise Launch",
		Description: "Go-to-market kit for the enterprise edition launch. Restricted to the sales team until launch day.",
		Kind:        spots.KindGTM, Visibility: spots.Restricted},
		grant: []spots.Grant{{Subject: spots.Group("sales"), Role: spots.Viewer}}},
	{key: spotTeam, spec: spots.NewSpot{Name: "EMEA Field Team",
		Description: "Customer stories and regional material collected by the EMEA field team.",
		Kind:        spots.KindTeam, Visibility: spots.Public, Region: "emea"}},
}

// demoListGroups is the list taxonomy: group name → list names.
var demoListGroups = []struct {
	name  string
	lists []string
}{
	{"Industry", []string{"Financial Services", "Healthcare", "Public Sector", "Retail"}},
	{"Sales Stage", []string{"Discovery", "Evaluation", "Negotiation"}},
}

type demoItem struct {
	spot         string
	in           items.NewItem
	lists        []string // list names
	file, body   string   // an uploaded markdown version when body is set
	expiresAfter time.Duration
}

var demoItems = []demoItem{
	{spot: spotProduct, in: items.NewItem{Kind: items.KindDocument, Title: "Acme Platform Datasheet",
		Description:   "Two pages on what the platform does, how it deploys and what it integrates with.",
		ExternalTitle: "Acme Data Platform: Datasheet", Audience: items.External, Downloadable: true,
		Labels: []string{"datasheet", "platform"}, Promoted: true, PromotedKeywords: []string{"datasheet"}},
		lists: []string{"Discovery"}, file: "acme-platform-datasheet.md", body: datasheetMD,
		expiresAfter: 180 * 24 * time.Hour},
	{spot: spotProduct, in: items.NewItem{Kind: items.KindDocument, Title: "Security & Compliance FAQ",
		Description: "Answers to the questions security reviewers ask: encryption, SSO, data residency, SOC 2 and ISO 27001.",
		Audience:    items.External, Downloadable: true, Labels: []string{"security", "compliance", "faq"}},
		lists: []string{"Financial Services", "Healthcare", "Public Sector", "Evaluation"},
		file:  "security-faq.md", body: securityMD, expiresAfter: 90 * 24 * time.Hour},
	{spot: spotProduct, in: items.NewItem{Kind: items.KindPresentation, Title: "Acme Platform Overview Deck",
		Description: "The corporate pitch deck: the problem, the platform, three customer proofs and pricing tiers.",
		Audience:    items.External, Labels: []string{"deck", "overview"}},
		lists: []string{"Discovery"}},
	{spot: spotProduct, in: items.NewItem{Kind: items.KindLink, Title: "Interactive Product Tour",
		Description: "A self-guided, ten-minute click-through of the platform for prospects.",
		Audience:    items.External, Labels: []string{"demo", "tour"},
		Source: items.Source{Type: items.SourceURL, URL: "https://www.example.com/acme/product-tour"}},
		lists: []string{"Discovery", "Evaluation"}},
	{spot: spotProduct, in: items.NewItem{Kind: items.KindDocument, Title: "Competitive Battlecard: Globex",
		Description: "How we win against Globex: landmines to lay, objections and proof points. Internal only.",
		Audience:    items.Internal, Labels: []string{"battlecard", "competition"}},
		lists: []string{"Evaluation"}, file: "battlecard-globex.md", body: battlecardMD},
	{spot: spotLaunch, in: items.NewItem{Kind: items.KindDocument, Title: "FY26 Enterprise Launch Messaging",
		Description: "Positioning, the three messaging pillars and approved claims for the enterprise edition.",
		Audience:    items.Internal, Labels: []string{"launch", "messaging"}},
		file: "launch-messaging.md", body: messagingMD},
	{spot: spotLaunch, in: items.NewItem{Kind: items.KindSpreadsheet, Title: "Enterprise ROI Calculator",
		Description: "Estimate a prospect's savings from consolidating their data stack; fill in with the buyer.",
		Audience:    items.External, Labels: []string{"roi", "business-case"}},
		lists: []string{"Negotiation"}},
	{spot: spotLaunch, in: items.NewItem{Kind: items.KindDocument, Title: "Enterprise Pricing & Packaging FY26",
		Description: "List prices, discount bands and approval rules for the enterprise edition. Do not share.",
		Audience:    items.Internal, Labels: []string{"pricing"}},
		lists: []string{"Negotiation"}},
	{spot: spotLaunch, in: items.NewItem{Kind: items.KindDocument, Title: "Discovery Call Guide",
		Description: "Questions that qualify an enterprise opportunity in the first call, with the MEDDICC fields to fill.",
		Audience:    items.Internal, Labels: []string{"playbook", "discovery"}},
		lists: []string{"Discovery"}},
	{spot: spotTeam, in: items.NewItem{Kind: items.KindDocument, Title: "Customer Story: Northwind Bank",
		Description:   "How Northwind Bank cut regulatory reporting time by 60% with Acme.",
		ExternalTitle: "Northwind Bank: 60% faster regulatory reporting", Audience: items.External,
		Downloadable: true, Labels: []string{"case-study", "banking"}},
		lists: []string{"Financial Services"}, file: "northwind-bank.md", body: northwindMD},
	{spot: spotTeam, in: items.NewItem{Kind: items.KindDocument, Title: "EMEA Data Residency One-Pager",
		Description: "Where customer data lives in the EU region and how we meet GDPR and Schrems II requirements.",
		Audience:    items.External, Downloadable: true, Labels: []string{"gdpr", "data-residency"}},
		lists: []string{"Public Sector", "Financial Services"}, file: "emea-data-residency.md", body: residencyMD},
}

// loadDemo loads the demo data set unless the store already has a spot, and
// tells w how to use it (an API token for the demo admin and a curl
// example against baseURL). Loading is not one transaction: a failure part
// way leaves what was made, and the next run skips since spots exist.
func loadDemo(ctx context.Context, lib *briefcase.Library, w io.Writer, baseURL string) error {
	sys := briefcase.SystemContext(ctx)
	existing, err := lib.Spots.List(sys)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		fmt.Fprintf(w, "demo: the store already has spots; demo data not loaded. "+
			"Create a token with: briefcase tokens create -user %s\n", demoAdmin.ID)
		return nil
	}

	admin, err := lib.Spots.SavePrincipal(sys, demoAdmin)
	if err != nil {
		return err
	}
	if admin, err = lib.Spots.RecordTraining(sys, admin.ID, spots.TrainingContentContributor); err != nil {
		return err
	}
	if _, err := lib.Spots.SavePrincipal(sys, demoSeller); err != nil {
		return err
	}
	as := briefcase.WithPrincipal(ctx, admin) // content is made by the demo admin, as a person would

	spotIDs := map[string]string{}
	for _, ds := range demoSpots {
		sp, err := lib.Spots.Create(as, ds.spec)
		if err != nil {
			return fmt.Errorf("spot %q: %w", ds.spec.Name, err)
		}
		spotIDs[ds.key] = sp.ID
		for _, g := range ds.grant {
			if _, err := lib.Spots.Grant(as, sp.ID, g.Subject, g.Role); err != nil {
				return fmt.Errorf("grant on %q: %w", ds.spec.Name, err)
			}
		}
	}

	listIDs := map[string]string{}
	for _, g := range demoListGroups {
		group, err := lib.Items.CreateListGroup(as, g.name)
		if err != nil {
			return err
		}
		for _, name := range g.lists {
			l, err := lib.Items.CreateList(as, group.ID, name)
			if err != nil {
				return err
			}
			listIDs[name] = l.ID
		}
	}

	now := time.Now()
	for _, di := range demoItems {
		in := di.in
		in.SpotID = spotIDs[di.spot]
		if di.expiresAfter > 0 {
			in.ExpiresAt = now.Add(di.expiresAfter)
		}
		it, err := lib.Items.Create(as, in)
		if err != nil {
			return fmt.Errorf("item %q: %w", in.Title, err)
		}
		if di.body != "" {
			_, err := lib.Items.AddVersion(as, it.ID, items.NewVersion{Filename: di.file,
				MIMEType: "text/markdown; charset=utf-8", Body: strings.NewReader(di.body)})
			if err != nil {
				return fmt.Errorf("upload %s: %w", di.file, err)
			}
		}
		for _, name := range di.lists {
			if _, err := lib.Items.AddToList(as, listIDs[name], it.ID); err != nil {
				return fmt.Errorf("list %q: %w", name, err)
			}
		}
	}

	token, _, err := lib.Tokens.Create(sys, admin.ID, "demo", 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `
Demo data loaded: %d spots, %d items, users %q (admin) and %q (seller in group sales).

API token for %s (shown once; make more with: briefcase tokens create -user %s):

    %s

Try:

    curl -H 'Authorization: Bearer %s' %s/api/v1/me
    curl -H 'Authorization: Bearer %s' %s/api/v1/spots
    curl -H 'Authorization: Bearer %s' '%s/api/v1/items?limit=5'

`, len(demoSpots), len(demoItems), admin.ID, demoSeller.ID, admin.ID, admin.ID, token,
		token, baseURL, token, baseURL, token, baseURL)
	return nil
}

const datasheetMD = `# Acme Data Platform

One place for every team's data: ingest from 200+ sources, model with SQL,
govern with policies, and serve dashboards and APIs.

## Deployment
- Fully managed in AWS, Azure or Google Cloud regions (US, EU, APAC)
- Or self-hosted on Kubernetes

## Integrations
Salesforce, SAP, Snowflake, BigQuery, Databricks, Okta, Azure AD.
`

const securityMD = `# Security & Compliance FAQ

**Is data encrypted?** Yes: AES-256 at rest, TLS 1.2+ in transit.

**Do you support single sign-on?** SAML 2.0 and OpenID Connect, with SCIM provisioning.

**Where is data stored?** In the region the customer chooses (US, EU, APAC).

**Certifications?** SOC 2 Type II and ISO 27001; reports available under NDA.
`

const battlecardMD = `# Battlecard: Globex (INTERNAL)

## Where they win
Cheap entry tier; strong brand with IT.

## Landmines to lay
- Ask how they govern data access across teams.
- Ask for a customer running more than 500 pipelines.

## Proof points
Northwind Bank moved from Globex in 2024 and cut reporting time by 60%.
`

const messagingMD = `# FY26 Enterprise Launch Messaging (INTERNAL)

Positioning: the governed data platform for regulated enterprises.

Pillars:
1. Govern once, use everywhere.
2. Deploy where your data must live.
3. Predictable pricing at any scale.
`

const northwindMD = `# Northwind Bank

Northwind Bank consolidated eleven reporting tools onto Acme in six months.

- 60% less time to produce regulatory reports
- 4 FTEs moved from data wrangling to analysis
- Audit findings on data lineage: zero

"Acme gave our regulators the lineage they asked for, on day one." (CFO, Northwind Bank)
`

const residencyMD = `# EMEA Data Residency

- Customer data for EU tenants is stored and processed in Frankfurt and Dublin.
- Support access from outside the EU is off by default and logged when enabled.
- Standard Contractual Clauses and a GDPR Data Processing Agreement are included.
`
