package searchtest

import (
	"github.com/briefcasehq/briefcase/search"
)

var matchTests = []subtest{
	{"All", testMatchAll},
	{"Terms", testMatchTerms},
	{"NoWords", testMatchNoWords},
	{"MultiTokenTerms", testMatchMultiTokenTerms},
	{"Phrases", testMatchPhrases},
	{"PhraseWithinOneValue", testMatchPhraseWithinOneValue},
	{"Normalization", testMatchNormalization},
	{"FieldScopes", testMatchFieldScopes},
	{"ExactFields", testMatchExactFields},
	{"Boolean", testMatchBoolean},
}

// matchCase is a query with the set of library documents it must find
// (with Access All).
type matchCase struct {
	name string
	m    search.Node
	want []string
}

func (e *env) checkMatches(cases []matchCase) {
	e.t.Helper()
	for _, c := range cases {
		got := e.find(c.m, everything())
		what := c.name + ": Search(" + show(c.m) + ")"
		checkIDs(e.t, what, got, sorted(c.want...))
	}
}

func show(n search.Node) string {
	if n == nil {
		return "nil"
	}
	return n.String()
}

func testMatchAll(e *env) {
	e.load()
	e.checkMatches([]matchCase{
		{"nil Match matches every document", nil, libraryIDs()},
		{"*All matches every document", &search.All{}, libraryIDs()},
		{"*All inside And adds nothing", and(&search.All{}, word("battlecard")), ids("globex-battlecard", "initech-battlecard")},
	})
	res := e.search(search.EngineQuery{Filter: everything(), Limit: 100})
	for _, h := range res.Hits {
		if h.Score != 0 {
			e.t.Fatalf("Search(Match nil): hit %s has Score %g, want 0 (no text to score)", h.ID, h.Score)
		}
	}
}

func testMatchTerms(e *env) {
	e.load()
	e.checkMatches([]matchCase{
		{"a term in titles and labels", word("battlecard"), ids("globex-battlecard", "initech-battlecard")},
		{"case does not matter", word("BATTLECARD"), ids("globex-battlecard", "initech-battlecard")},
		{"a word of a page", word("landmines"), ids("globex-battlecard")},
		{"a word of an external description", word("buyers"), ids("overview-deck")},
		{"a word of an external title", word("welcome"), ids("overview-deck")},
		{"a word of the author", word("okafor"), ids("globex-battlecard", "q3-pricing-draft", "discovery-script", "follow-up-emails", "pricing-sheet-2024", "initech-battlecard")},
		{"a word of a spot name: every document in EMEA Field Team", word("emea"),
			ids("overview-deck", "globex-battlecard", "security-whitepaper", "demo-video", "roi-calculator-emea", "partner-onboarding")},
		{"a word of a list name: New Hire Onboarding, and the documents that say onboarding", word("onboarding"),
			ids("northwind-case-study", "discovery-script", "roi-calculator", "follow-up-emails", "partner-onboarding")},
		{"owners are not a default field", word("committee"), nil},
		{"the kind is not a default field", word("pdf"), nil},
		{"a word no document has", word("blockchain"), nil},
		{"a word that is a prefix of an indexed word does not match it", word("battle"), nil},
	})
}

func testMatchNoWords(e *env) {
	e.load()
	e.checkMatches([]matchCase{
		{"a term without words matches nothing", word("--"), nil},
		{"a phrase without words matches nothing", phrase(search.FieldDefault, " ... "), nil},
		{"an empty term matches nothing", word(""), nil},
		{"a scoped term without words matches nothing", term(search.FieldTitle, "!!"), nil},
		{"And with a term without words matches nothing", and(word("battlecard"), word("--")), nil},
		{"Or with a term without words matches the other clauses", or(word("battlecard"), word("--")), ids("globex-battlecard", "initech-battlecard")},
		{"Not of a term without words matches everything", not(word("--")), libraryIDs()},
	})
}

// testMatchMultiTokenTerms checks that a term analyzing to several words
// is a phrase of those words.
func testMatchMultiTokenTerms(e *env) {
	e.index([]search.Document{
		plain("hyphen", "E-mail templates for follow-ups"),
		plain("apart", "Mail merge: step E of the rollout"),
		plain("reversed", "Templates: mail e"),
		plain("one-word", "Email templates"),
		plain("quarter", "Pricing for Q3-2026"),
		plain("quarter-spaced", "Q3 2026 launch plan"),
		plain("quarter-reversed", "2026 Q3"),
	})
	e.checkMatches([]matchCase{
		{`"e-mail" is the phrase "e mail", in this order`, word("e-mail"), ids("hyphen")},
		{`"E-Mail" is the same phrase`, term(search.FieldTitle, "E-Mail"), ids("hyphen")},
		{`"mail-e" is the phrase "mail e"`, word("mail-e"), ids("reversed")},
		{`"email" is one word`, word("email"), ids("one-word")},
		{`"Q3-2026" is the phrase "q3 2026"`, word("Q3-2026"), ids("quarter", "quarter-spaced")},
		{`"2026-Q3" is the phrase "2026 q3"`, word("2026-Q3"), ids("quarter-reversed")},
	})
}

func testMatchPhrases(e *env) {
	e.load()
	e.checkMatches([]matchCase{
		{"words next to each other, in order", phrase(search.FieldDefault, "list prices"), ids("q3-pricing-draft", "pricing-sheet-2024")},
		{"the same words in the other order do not match", phrase(search.FieldDefault, "prices list"), nil},
		{"words of the phrase apart do not match", phrase(search.FieldDefault, "acme globex"), nil},
		{"punctuation between the words does not matter", phrase(search.FieldDefault, "battlecard acme"), ids("globex-battlecard", "initech-battlecard")},
		{"a three-word phrase", phrase(search.FieldDefault, "single source of truth"), ids("northwind-case-study")},
		{"a one-word phrase is a term", phrase(search.FieldDefault, "landmines"), ids("globex-battlecard")},
		{"a scoped phrase", phrase(search.FieldTitle, "case study"), ids("northwind-case-study")},
		{"a phrase in a spot name", phrase(search.FieldSpot, "product marketing"),
			ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video")},
		{"a phrase does not span title and description", phrase(search.FieldDefault, "whitepaper soc"), nil},
	})
}

// testMatchPhraseWithinOneValue checks that a phrase never matches across
// two values of a multi-valued field (the end of one and the start of the
// next), nor across two fields.
func testMatchPhraseWithinOneValue(e *env) {
	across := func(d *search.Document) {
		d.ExternalTitle = "Update for buyers"
		d.Description, d.ExternalDescription = "Everything about pricing", "Update for buyers"
		d.Pages = []string{"Slide one is about pricing", "Update of the slide two"}
		d.SpotIDs, d.SpotNames = ids("spot-se", "spot-pm"), ids("EMEA pricing", "Update desk")
		d.ListIDs, d.ListNames = ids("list-a", "list-b"), ids("Pricing", "Update")
		d.Labels = ids("pricing", "update")
		d.Owners = ids("pricing", "update")
		d.Author = "Pat Pricing"
	}
	within := func(d *search.Document) {
		d.Pages = []string{"Slide one: the pricing update"}
		d.SpotNames = ids("Pricing update desk")
		d.ListNames = ids("Pricing update")
		d.Labels = ids("pricing update")
		d.Owners = ids("pricing update")
		d.Author = "Pricing Update"
		d.Description = "A pricing update"
	}
	e.index([]search.Document{
		plain("across", "Pricing", across),
		plain("within", "Pricing update", within),
	})
	var cases []matchCase
	for _, f := range []search.Field{search.FieldDefault, search.FieldTitle, search.FieldDescription, search.FieldBody,
		search.FieldSpot, search.FieldList, search.FieldLabel, search.FieldOwner, search.FieldAuthor} {
		name := "field " + string(f)
		if f == search.FieldDefault {
			name = "the default fields"
		}
		cases = append(cases, matchCase{
			`"pricing update" in ` + name + `: "pricing" ending one value and "update" starting the next is not the phrase`,
			phrase(f, "pricing update"), ids("within"),
		})
	}
	cases = append(cases, matchCase{
		`"pricing" and "update" as terms match both`, and(term(search.FieldLabel, "pricing"), term(search.FieldLabel, "update")), ids("across", "within"),
	})
	e.checkMatches(cases)
}

func testMatchNormalization(e *env) {
	e.load()
	customer := ids("overview-deck", "healthcare-stories", "security-whitepaper")
	e.checkMatches([]matchCase{
		{"plural query, singular text", word("battlecards"), ids("globex-battlecard", "initech-battlecard")},
		{"singular query, plural text (Stories)", word("story"), ids("healthcare-stories")},
		{"possessive query", word("customer's"), customer},
		{"plural possessive query", word("customers'"), customer},
		{"plural query finds singular, plural and possessive text", word("Customers"), customer},
		{"curly apostrophe", word("customer’s"), customer},
		{"possessive in the text: St. Mary's", word("mary"), ids("healthcare-stories")},
		{"-ies plural: case studies", phrase(search.FieldDefault, "case studies"), ids("northwind-case-study", "healthcare-stories")},
		{"phrase of normalized words", phrase(search.FieldDefault, "customers story"), ids("healthcare-stories")},
		{"no stemming beyond plurals: price is not pricing", word("price"), ids("globex-battlecard", "q3-pricing-draft", "roi-calculator-emea", "pricing-sheet-2024")},
	})
}

func testMatchFieldScopes(e *env) {
	e.load()
	pm := ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video")
	e.checkMatches([]matchCase{
		{"title: title only, not the description or body that also say it", term(search.FieldTitle, "onboarding"), ids("partner-onboarding")},
		{"title: includes the external title", term(search.FieldTitle, "advisors"), ids("northwind-case-study")},
		{"title: external title alone", term(search.FieldTitle, "welcome"), ids("overview-deck")},
		{"title: not the labels", term(search.FieldTitle, "competitive"), nil},
		{"description: description only", term(search.FieldDescription, "walkthrough"), ids("demo-video")},
		{"description: includes the external description", term(search.FieldDescription, "buyers"), ids("overview-deck")},
		{"description: not the body", term(search.FieldDescription, "transcript"), nil},
		{"body: the pages", term(search.FieldBody, "transcript"), ids("demo-video")},
		{"body: not the description", term(search.FieldBody, "walkthrough"), nil},
		{"body: any page", term(search.FieldBody, "landmines"), ids("globex-battlecard")},
		{"spot: spot names, home and placements", term(search.FieldSpot, "emea"),
			ids("overview-deck", "globex-battlecard", "security-whitepaper", "demo-video", "roi-calculator-emea", "partner-onboarding")},
		{"spot: phrase", phrase(search.FieldSpot, "Product Marketing"), pm},
		{"spot: not spot IDs", term(search.FieldSpot, "spot-pm"), nil},
		{"list: list names", term(search.FieldList, "healthcare"), ids("healthcare-stories", "security-whitepaper")},
		{"list: not list IDs", term(search.FieldList, "list-fin"), nil},
		{"list: not the title", term(search.FieldList, "stories"), nil},
		{"label: labels", term(search.FieldLabel, "competitive"), ids("globex-battlecard", "initech-battlecard")},
		{"label: phrase", phrase(search.FieldLabel, "case study"), ids("northwind-case-study", "healthcare-stories")},
		{"author: author name", term(search.FieldAuthor, "priya"), ids("security-whitepaper", "roi-calculator", "roi-calculator-emea")},
		{"author: not owners", term(search.FieldAuthor, "marketing"), nil},
		{"owner: subject ID", term(search.FieldOwner, "dana"), ids("overview-deck", "northwind-case-study")},
		{"owner: user name", term(search.FieldOwner, "natarajan"), ids("security-whitepaper")},
		{"owner: group ID analyzed like text", term(search.FieldOwner, "pricing-committee"), ids("q3-pricing-draft")},
		{"owner: not the author", term(search.FieldOwner, "okafor"),
			ids("globex-battlecard", "q3-pricing-draft", "discovery-script")},
	})
}

func testMatchExactFields(e *env) {
	e.load()
	pdf := ids("northwind-case-study", "healthcare-stories", "security-whitepaper", "pricing-sheet-2024")
	external := ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video", "partner-onboarding")
	e.checkMatches([]matchCase{
		{"type: the kind", term(search.FieldType, "pdf"), pdf},
		{"type: compared lower-cased", term(search.FieldType, "PDF"), pdf},
		{"type: whole value only", term(search.FieldType, "pd"), nil},
		{"type: not analyzed (plural is another value)", term(search.FieldType, "pdfs"), nil},
		{"type: a phrase is exact too", phrase(search.FieldType, "Spreadsheet"), ids("roi-calculator", "roi-calculator-emea")},
		{"type: words elsewhere do not count", term(search.FieldType, "battlecard"), nil},
		{"audience: the audience", term(search.FieldAudience, "External"), external},
		{"audience: whole value only", term(search.FieldAudience, "extern"), nil},
		{"exact fields combine", and(term(search.FieldType, "pdf"), term(search.FieldAudience, "internal")), ids("pricing-sheet-2024")},
	})
}

func testMatchBoolean(e *env) {
	e.load()
	battlecards := ids("globex-battlecard", "initech-battlecard")
	external := ids("overview-deck", "northwind-case-study", "healthcare-stories", "security-whitepaper", "demo-video", "partner-onboarding")
	e.checkMatches([]matchCase{
		{"And: every clause", and(word("battlecard"), word("globex")), ids("globex-battlecard")},
		{"And: clauses in different fields", and(term(search.FieldLabel, "roi"), term(search.FieldSpot, "emea")), ids("roi-calculator-emea")},
		{"And of one clause", and(word("battlecard")), battlecards},
		{"And: no document has both", and(word("battlecard"), word("hospital")), nil},
		{"Or: any clause", or(word("globex"), word("initech")), battlecards},
		{"Or of one clause", or(word("landmines")), ids("globex-battlecard")},
		{"Or: a document matching several clauses appears once", or(word("battlecard"), word("competitive"), word("acme")),
			ids("overview-deck", "globex-battlecard", "healthcare-stories", "initech-battlecard")},
		{"Not alone: everything except", not(word("battlecard")), except(battlecards...)},
		{"Not inside And excludes", and(word("battlecard"), not(word("initech"))), ids("globex-battlecard")},
		{"And of Nots", and(not(word("battlecard")), not(term(search.FieldType, "pdf"))),
			except("globex-battlecard", "initech-battlecard", "northwind-case-study", "healthcare-stories", "security-whitepaper", "pricing-sheet-2024")},
		{"Or containing Not: roi titles or anything not internal", or(term(search.FieldTitle, "roi"), not(term(search.FieldAudience, "internal"))),
			append(ids("roi-calculator", "roi-calculator-emea"), external...)},
		{"Not of Or", not(or(word("globex"), word("initech"))), except(battlecards...)},
		{"Not of And", not(and(word("acme"), word("globex"))), except("globex-battlecard")},
		{"Not of Not", not(not(word("battlecard"))), battlecards},
		{"Or of Ands", or(and(word("roi"), term(search.FieldAuthor, "priya")), and(word("demo"), term(search.FieldType, "video"))),
			ids("roi-calculator", "roi-calculator-emea", "demo-video")},
		{"And of Or and Not of Or", and(or(word("pricing"), word("price")), not(or(term(search.FieldLabel, "competitive"), term(search.FieldType, "pdf")))),
			ids("overview-deck", "q3-pricing-draft", "roi-calculator-emea")},
		{"Not of everything matches nothing", not(&search.All{}), nil},
	})
}
