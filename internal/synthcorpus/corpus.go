// Package synthcorpus generates a realistic sales-content library, the
// same for the same seed, and loads it into any store.Store: spots of
// every kind with group grants, a list taxonomy, principals, and items
// with ~300-word page text. Benchmarks and load tests search it.
//
//	c := synthcorpus.New(synthcorpus.Options{Items: 100_000, Seed: 1})
//	if err := c.Load(ctx, st); err != nil { ... }
//	ctx = spots.WithPrincipal(ctx, c.Principal(synthcorpus.SellerID))
//	res, err := lib.Search.Search(ctx, search.Request{Query: c.Queries(synthcorpus.QueryTerm, 1)[0]})
//
// Spots, grants, principals and lists go through the spots and items
// services (so they are exactly what those services would store); items,
// their versions, placements and list memberships are written straight
// to the store in transactions of Options.BatchSize items, which is what
// makes 100,000 items a matter of seconds. Versions carry their page text
// but no blob: the corpus is for search, not for downloads.
//
// Text is drawn from a Zipf-distributed vocabulary (see CommonWords,
// SalesWords and TailWords). Every item is generated from its own random
// source, so Item(i) is cheap to call in any order and Load streams.
package synthcorpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Options shape a corpus. Zero fields take defaults.
type Options struct {
	// Items is the number of items; 1,000 by default.
	Items int
	// Seed selects the corpus: the same options give the same corpus.
	Seed uint64
	// Spots is the number of spots (200 by default, at least 10): a fifth
	// public product spots, a tenth restricted go-to-market spots, the
	// rest team spots, mostly restricted and granted to groups.
	Spots int
	// People is the number of content people who own spots and items and
	// author them (100 by default, at least 5).
	People int
	// Now is the corpus's present: items were created over the two years
	// before it. 2026-06-01 09:00 UTC by default.
	Now time.Time
	// BatchSize is how many items Load writes per transaction (1,000 by
	// default).
	BatchSize int
	// Progress, when set, is called by Load after each batch with the
	// number of items written so far.
	Progress func(done int)
}

// IDs of the principals every corpus has, besides the content people.
const (
	// AdminID is a platform admin: it sees every spot and every status.
	AdminID = "admin"
	// EditorID is trained and may edit a few team spots (EditorSpotIDs);
	// it sees the public spots and its group's.
	EditorID = "editor"
	// ViewerID is in one group: it sees the public spots and the few
	// granted to that group.
	ViewerID = "viewer"
	// SellerID is in most sales groups: it sees most spots, as a seller
	// in a large company does. Benchmarks search as the seller.
	SellerID = "seller"
)

// Groups that restricted spots are granted to.
var groupNames = []string{"sales-emea", "sales-amer", "sales-apj", "sales-latam", "marketing", "partners",
	"solutions", "success"}

// Spot is a planned spot: what the spots service is asked to create, the
// ID it gets, and the grants made on it after creation (besides its
// owner's).
type Spot struct {
	ID string
	spots.NewSpot
	Grants []spots.Grant
}

// ListGroup is a planned list group with its lists.
type ListGroup struct {
	ID    string
	Name  string
	Lists []List
}

// List is a planned list.
type List struct {
	ID   string
	Name string
}

// Item is one generated item and its only version. Item.Placements and
// Item.ListIDs are filled (sorted), as a store returns them.
type Item struct {
	Item    items.Item
	Version items.Version
}

// Corpus is a planned library. Its methods are safe for concurrent use.
type Corpus struct {
	opt        Options
	start      time.Time // the first item's creation
	vocab      []string
	sales      []string
	labels     []string
	principals []spots.Principal
	people     []spots.Principal
	spots      []Spot
	groups     []ListGroup
	editor     []string
}

// Span of item creation times, ending at Options.Now.
const span = 730 * 24 * time.Hour

// New plans a corpus: its spots, principals and lists. Items are generated
// on demand (Item) and by Load.
func New(opt Options) *Corpus {
	if opt.Items <= 0 {
		opt.Items = 1000
	}
	if opt.Spots <= 0 {
		opt.Spots = 200
	}
	opt.Spots = max(opt.Spots, 10)
	if opt.People <= 0 {
		opt.People = 100
	}
	opt.People = max(opt.People, 5)
	if opt.Now.IsZero() {
		opt.Now = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	}
	opt.Now = opt.Now.UTC().Truncate(time.Microsecond)
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	r := rand.New(rand.NewPCG(opt.Seed, 0))
	c := &Corpus{opt: opt, start: opt.Now.Add(-span), sales: SalesWords()}
	c.vocab = append(append(CommonWords(), c.sales...), TailWords(20000, r)...)
	t := newText(r, c.vocab, c.sales)
	setup := c.start.Add(-30 * 24 * time.Hour)

	for i := range 40 {
		c.labels = append(c.labels, strings.ReplaceAll(c.sales[(i*7)%len(c.sales)], " ", "-"))
	}
	slices.Sort(c.labels)
	c.labels = slices.Compact(c.labels)

	trained := []spots.Training{{Name: spots.TrainingContentContributor, CompletedAt: setup}}
	for i := range opt.People {
		first, last := Capitalize(TailWords(1, r)[0]), Capitalize(TailWords(1, r)[0])
		id := fmt.Sprintf("person-%03d", i)
		c.people = append(c.people, spots.Principal{ID: id, Name: first + " " + last,
			Email: id + "@example.com", Groups: []string{"content"}, Trainings: trained})
	}
	c.principals = append([]spots.Principal{
		{ID: AdminID, Name: "Ada Admin", Email: "admin@example.com", Roles: []spots.PlatformRole{spots.Admin},
			Trainings: trained},
		{ID: EditorID, Name: "Eddie Editor", Email: "editor@example.com", Groups: []string{"marketing"},
			Trainings: trained},
		{ID: ViewerID, Name: "Vic Viewer", Email: "viewer@example.com", Groups: []string{"success"}},
		{ID: SellerID, Name: "Sam Seller", Email: "seller@example.com",
			Groups: []string{"partners", "sales-amer", "sales-apj", "sales-emea", "solutions"}},
	}, c.people...)

	regions := []string{"EMEA", "AMER", "APJ", "Global", "LATAM"}
	functions := []string{"Sales", "Marketing", "Product", "Partners", "Solutions", "Success"}
	for i := range opt.Spots {
		s := Spot{ID: newID(setup.Add(time.Duration(i)*time.Millisecond), r)}
		owner := c.people[r.IntN(len(c.people))].ID
		region := regions[r.IntN(len(regions))]
		s.NewSpot = spots.NewSpot{Description: t.sentence(10 + r.IntN(15)), Region: strings.ToLower(region),
			OwnerID: owner, Visibility: spots.Restricted}
		switch i % 10 {
		case 0, 1:
			s.Kind, s.Visibility, s.Official = spots.KindProduct, spots.Public, true
			s.Name = fmt.Sprintf("%s %s Hub", Capitalize(t.subject()), Capitalize(t.subject()))
		case 2:
			s.Kind = spots.KindGTM
			s.Name = fmt.Sprintf("Q%d %s %s Launch", 1+r.IntN(4), Capitalize(t.subject()), Capitalize(t.subject()))
		default:
			s.Kind = spots.KindTeam
			if r.IntN(7) == 0 {
				s.Visibility = spots.Public
			}
			s.Name = fmt.Sprintf("%s %s %s", region, Capitalize(t.subject()), functions[r.IntN(len(functions))])
			if len(c.editor) < 5 {
				c.editor = append(c.editor, s.ID)
				s.Grants = append(s.Grants, spots.Grant{Subject: spots.User(EditorID), Role: spots.Editor})
			}
			if r.IntN(4) == 0 {
				if co := c.people[r.IntN(len(c.people))].ID; co != owner {
					s.Grants = append(s.Grants, spots.Grant{Subject: spots.User(co), Role: spots.Coowner})
				}
			}
		}
		if s.Visibility == spots.Restricted {
			for _, g := range pick(r, len(groupNames), 1+r.IntN(2)) {
				s.Grants = append(s.Grants, spots.Grant{Subject: spots.Group(groupNames[g]), Role: spots.Viewer})
			}
		}
		for j := range s.Grants {
			s.Grants[j].SpotID = s.ID
		}
		c.spots = append(c.spots, s)
	}

	taxonomy := []struct {
		group string
		lists []string
	}{
		{"Industry", []string{"Finance", "Healthcare", "Retail", "Manufacturing", "Public Sector", "Education",
			"Insurance", "Telecom", "Energy", "Media"}},
		{"Region", []string{"EMEA", "AMER", "APJ", "LATAM", "Global"}},
		{"Stage", []string{"Discovery", "Qualification", "Proposal", "Negotiation", "Closing", "Renewal"}},
		{"Persona", []string{"Executive", "IT Leader", "Security Lead", "Finance Buyer", "Operations", "Developer"}},
		{"Content Type", []string{"Case Study", "Battlecard", "Pitch Deck", "Datasheet", "Whitepaper", "Playbook",
			"Webinar", "Email Template"}},
	}
	n := 0
	for _, tg := range taxonomy {
		g := ListGroup{ID: newID(setup.Add(time.Second+time.Duration(n)*time.Millisecond), r), Name: tg.group}
		n++
		for _, name := range tg.lists {
			g.Lists = append(g.Lists, List{ID: newID(setup.Add(time.Second+time.Duration(n)*time.Millisecond), r), Name: name})
			n++
		}
		c.groups = append(c.groups, g)
	}
	return c
}

// pick returns k distinct numbers below n, in the order drawn.
func pick(r *rand.Rand, n, k int) []int {
	return r.Perm(n)[:min(k, n)]
}

// newID returns a version 7 UUID for time t with random bits from r, as
// spots.NewID would make at t: IDs sort by creation time.
func newID(t time.Time, r *rand.Rand) string {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	a, b := r.Uint64(), r.Uint64()
	u[6] = 0x70 | byte(a>>8)&0x0f
	u[7] = byte(a)
	u[8] = 0x80 | byte(b>>56)&0x3f
	for i := 9; i < 16; i++ {
		u[i] = byte(b >> (8 * (15 - i)))
	}
	return u.String()
}

// Options returns the options with their defaults filled in.
func (c *Corpus) Options() Options { return c.opt }

// Len returns the number of items.
func (c *Corpus) Len() int { return c.opt.Items }

// Principals returns every principal: admin, editor, viewer, seller, then
// the content people.
func (c *Corpus) Principals() []spots.Principal {
	out := make([]spots.Principal, len(c.principals))
	for i, p := range c.principals {
		out[i] = p.Clone()
	}
	return out
}

// Principal returns the principal with the given ID (AdminID, SellerID,
// "person-007", ...), as stored; the zero Principal when there is none.
func (c *Corpus) Principal(id string) spots.Principal {
	for _, p := range c.principals {
		if p.ID == id {
			return p.Clone()
		}
	}
	return spots.Principal{}
}

// Spots returns the planned spots, in creation order.
func (c *Corpus) Spots() []Spot {
	out := make([]Spot, len(c.spots))
	for i, s := range c.spots {
		out[i] = s
		out[i].Grants = slices.Clone(s.Grants)
	}
	return out
}

// EditorSpotIDs returns the spots where EditorID holds the editor role.
func (c *Corpus) EditorSpotIDs() []string { return slices.Clone(c.editor) }

// ListGroups returns the list taxonomy.
func (c *Corpus) ListGroups() []ListGroup {
	out := make([]ListGroup, len(c.groups))
	for i, g := range c.groups {
		out[i] = g
		out[i].Lists = slices.Clone(g.Lists)
	}
	return out
}

// Labels returns the labels items carry.
func (c *Corpus) Labels() []string { return slices.Clone(c.labels) }

var (
	kindWeights = weighted[items.Kind]{
		{items.KindPresentation, 26}, {items.KindPDF, 22}, {items.KindDocument, 20}, {items.KindVideo, 8},
		{items.KindSpreadsheet, 6}, {items.KindLink, 6}, {items.KindPage, 5}, {items.KindImage, 3},
		{items.KindTrack, 2}, {items.KindRemix, 2},
	}
	statusWeights = weighted[items.Status]{
		{items.StatusPublished, 80}, {items.StatusExpiring, 4}, {items.StatusExpired, 4}, {items.StatusDraft, 5},
		{items.StatusInReview, 2}, {items.StatusScheduled, 1}, {items.StatusArchived, 4},
	}
	mimeTypes = map[items.Kind]string{
		items.KindDocument:     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		items.KindPresentation: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		items.KindPDF:          "application/pdf",
		items.KindVideo:        "video/mp4",
		items.KindImage:        "image/png",
		items.KindSpreadsheet:  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	}
	extensions = map[items.Kind]string{items.KindDocument: ".docx", items.KindPresentation: ".pptx",
		items.KindPDF: ".pdf", items.KindVideo: ".mp4", items.KindImage: ".png", items.KindSpreadsheet: ".xlsx"}
)

type weighted[T any] []struct {
	v T
	w int
}

func (ws weighted[T]) draw(r *rand.Rand) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}

// Item generates item i (0 ≤ i < Len()). Items are created in order of i,
// over the two years before Options.Now, so their IDs ascend with i.
func (c *Corpus) Item(i int) Item {
	r := rand.New(rand.NewPCG(c.opt.Seed, uint64(i)+1))
	t := newText(r, c.vocab, c.sales)
	step := span / time.Duration(c.opt.Items)
	created := c.start.Add(step*time.Duration(i) + time.Duration(r.Int64N(int64(max(step/2, time.Microsecond)))))
	created = created.Truncate(time.Microsecond)
	now := c.opt.Now

	home := int(rand.NewZipf(r, 1.2, 4, uint64(len(c.spots)-1)).Uint64())
	owner := c.people[r.IntN(len(c.people))]
	it := items.Item{
		ID: newID(created, r), SpotID: c.spots[home].ID, Kind: kindWeights.draw(r), Title: t.title(),
		Description: t.sentence(15 + r.IntN(15)), Audience: items.Internal, Author: owner.Name,
		FeedbackOwner: owner.ID, Owners: []spots.Subject{spots.User(owner.ID)}, Labels: []string{},
		Placements: []string{}, ListIDs: []string{}, PromotedKeywords: []string{}, Status: statusWeights.draw(r),
		CreatedBy: owner.ID, CreatedAt: created,
	}
	it.UpdatedAt = created.Add(time.Duration(r.IntN(2400)) * time.Hour)
	if it.UpdatedAt.After(now) {
		it.UpdatedAt = now
	}
	if r.IntN(2) == 0 {
		it.Audience = items.External
		it.Downloadable = r.IntN(2) == 0
		if r.IntN(2) == 0 {
			it.ExternalTitle = t.title()
			it.ExternalDescription = t.sentence(10 + r.IntN(10))
		}
	}
	for _, s := range pick(r, len(c.spots), r.IntN(3)) {
		if s != home {
			it.Placements = append(it.Placements, c.spots[s].ID)
		}
	}
	slices.Sort(it.Placements)
	for _, g := range c.groups {
		if r.IntN(3) == 0 {
			it.ListIDs = append(it.ListIDs, g.Lists[r.IntN(len(g.Lists))].ID)
		}
	}
	slices.Sort(it.ListIDs)
	for range r.IntN(4) {
		if l := c.labels[r.IntN(len(c.labels))]; !slices.Contains(it.Labels, l) {
			it.Labels = append(it.Labels, l)
		}
	}
	day := 24 * time.Hour
	switch it.Status {
	case items.StatusExpiring:
		it.ExpiresAt = now.Add(time.Duration(1+r.IntN(30)) * day)
	case items.StatusExpired:
		it.ExpiresAt = now.Add(-time.Duration(1+r.IntN(200)) * day)
	case items.StatusScheduled:
		it.AvailableAt = now.Add(time.Duration(1+r.IntN(30)) * day)
	case items.StatusPublished:
		if r.IntN(3) == 0 {
			it.ExpiresAt = now.Add(time.Duration(60+r.IntN(400)) * day)
		}
	}
	if r.IntN(50) == 0 {
		it.Promoted = true
		it.PromotedKeywords = []string{t.subject()}
	}
	it.Source.Type = items.SourceUpload
	if !it.Kind.HasFile() {
		it.Source = items.Source{Type: items.SourceURL, URL: "https://content.example.com/" + slug(it.Title)}
	}

	// About 300 words over two to five pages.
	pages := make([]string, 2+r.IntN(4))
	words := (260 + r.IntN(81)) / len(pages)
	for p := range pages {
		pages[p] = t.page(words)
	}
	body := strings.Join(pages, "\f")
	sum := sha256.Sum256([]byte(body))
	mt, ext := mimeTypes[it.Kind], extensions[it.Kind]
	if mt == "" {
		mt, ext = "text/plain; charset=utf-8", ".txt"
	}
	v := items.Version{
		ID: newID(created, r), ItemID: it.ID, Number: 1, BlobKey: hex.EncodeToString(sum[:]),
		SHA256: hex.EncodeToString(sum[:]), MIMEType: mt, Size: int64(len(body)), Filename: slug(it.Title) + ext,
		PageCount: len(pages), Pages: pages, CreatedBy: owner.ID, CreatedAt: created,
	}
	it.CurrentVersionID = v.ID
	return Item{Item: it, Version: v}
}

// slug turns a title into a lower-case file name.
func slug(title string) string {
	return strings.ToLower(strings.Join(strings.Fields(title), "-"))
}
