package briefcase_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/matryer/is"
)

// catalog is a small library: a public product spot owned by olivia with
// eddie as editor, a restricted team spot with group sales as viewer, and a
// private board spot.
type catalog struct {
	product, team, board spots.Spot
}

func newCatalog(t *testing.T, e *env) catalog {
	t.Helper()
	is := is.New(t)
	olivia := e.as(t, "olivia")
	var c catalog
	var err error
	c.product, err = e.lib.Spots.Create(e.as(t, "ada"), spots.NewSpot{Name: "Product", Kind: spots.KindProduct, Visibility: spots.Public, Official: true, OwnerID: "olivia"})
	is.NoErr(err)
	c.team, err = e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Team", Kind: spots.KindTeam})
	is.NoErr(err)
	c.board, err = e.lib.Spots.Create(olivia, spots.NewSpot{Name: "Board", Kind: spots.KindGTM})
	is.NoErr(err)
	_, err = e.lib.Spots.Grant(olivia, c.product.ID, spots.User("eddie"), spots.Editor)
	is.NoErr(err)
	_, err = e.lib.Spots.Grant(olivia, c.team.ID, spots.Group("sales"), spots.Viewer)
	is.NoErr(err)
	return c
}

func TestItemCreateValidation(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie := e.as(t, "eddie")
		for _, tc := range []struct {
			name  string
			in    items.NewItem
			field string
		}{
			{"missing title", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF}, "title"},
			{"bad kind", items.NewItem{SpotID: c.product.ID, Kind: "hologram", Title: "x"}, "kind"},
			{"bad audience", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", Audience: "partners"}, "audience"},
			{"link without url", items.NewItem{SpotID: c.product.ID, Kind: items.KindLink, Title: "x"}, "source.url"},
			{"bad url", items.NewItem{SpotID: c.product.ID, Kind: items.KindLink, Title: "x", Source: items.Source{Type: items.SourceURL, URL: "javascript:alert(1)"}}, "source.url"},
			{"past expiry", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", ExpiresAt: e.clock.Now().Add(-time.Hour)}, "expires_at"},
			{"expiry before availability", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", AvailableAt: e.clock.Now().Add(48 * time.Hour), ExpiresAt: e.clock.Now().Add(24 * time.Hour)}, "expires_at"},
			{"empty label", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", Labels: []string{"ok", " "}}, "labels"},
			{"keywords without promotion", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", PromotedKeywords: []string{"pricing"}}, "promoted_keywords"},
			{"bad owner", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", Owners: []spots.Subject{{Kind: "team", ID: "a"}}}, "owners"},
			{"unknown feedback owner", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", FeedbackOwner: "ghost"}, "feedback_owner"},
			{"bad status", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: "x", Status: items.StatusArchived}, "status"},
			{"missing spot", items.NewItem{Kind: items.KindPDF, Title: "x"}, "spot_id"},
			{"invisible spot", items.NewItem{SpotID: c.board.ID, Kind: items.KindPDF, Title: "x"}, "spot_id"},
			{"title too long", items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: strings.Repeat("t", 301)}, "title"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				is := is.New(t)
				_, err := e.lib.Items.Create(eddie, tc.in)
				is.Equal(code(err), errcode.Invalid)
				is.True(errcode.FieldsOf(err)[tc.field] != "") // the field is named
			})
		}
		// A viewer may not add content; nothing was written by any refusal.
		_, err := e.lib.Items.Create(e.as(t, "sam"), items.NewItem{SpotID: c.team.ID, Kind: items.KindPDF, Title: "x"})
		is.Equal(code(err), errcode.Forbidden)
		all, err := e.st.ListItems(e.ctx, items.ItemFilter{AllSpots: true})
		is.NoErr(err)
		is.Equal(len(all), 0)
		n, err := e.st.LastChangeSeq(e.ctx)
		is.NoErr(err)
		changesBefore := n

		// The most restrictive setting wins: internal is never downloadable.
		it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindPDF, Title: " Pricing sheet ", Downloadable: true, Labels: []string{"pricing", "pricing", "q4"}})
		is.NoErr(err)
		is.Equal(it.Title, "Pricing sheet")
		is.Equal(it.Audience, items.Internal) // internal by default
		is.True(!it.Downloadable)
		is.Equal(it.Labels, []string{"pricing", "q4"})
		is.Equal(it.FeedbackOwner, "eddie")
		is.Equal(it.Owners, []spots.Subject{spots.User("eddie")})
		is.Equal(it.Author, "Eddie Editor")
		is.Equal(it.Status, items.StatusPublished)
		is.Equal(it.CreatedAt, e.clock.Now())
		after, err := e.st.LastChangeSeq(e.ctx)
		is.NoErr(err)
		is.True(after > changesBefore) // the change feed saw the write

		sched, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindLink, Title: "Launch page", Audience: items.External, AvailableAt: e.clock.Now().Add(24 * time.Hour), Source: items.Source{URL: "https://example.com/launch"}})
		is.NoErr(err)
		is.Equal(sched.Status, items.StatusScheduled) // future availability schedules it
		is.Equal(sched.Source.Type, items.SourceURL)
	})
}

func TestItemVisibility(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		olivia := e.as(t, "olivia")
		sam := e.as(t, "sam")
		boardItem, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument, Title: "Board deck"})
		is.NoErr(err)
		teamItem, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Team plan"})
		is.NoErr(err)
		draft, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Team draft", Status: items.StatusDraft})
		is.NoErr(err)

		_, err = e.lib.Items.Get(sam, boardItem.ID)
		is.Equal(code(err), errcode.NotFound) // a restricted spot's item does not leak
		_, err = e.lib.Items.Get(sam, teamItem.ID)
		is.NoErr(err)
		_, err = e.lib.Items.Get(sam, draft.ID)
		is.Equal(code(err), errcode.NotFound) // drafts are for editors
		_, err = e.lib.Items.Get(olivia, draft.ID)
		is.NoErr(err)

		// Placing the board item in the team spot shows it to the team.
		_, err = e.lib.Items.Place(sam, boardItem.ID, c.team.ID)
		is.True(err != nil) // sam cannot edit the team spot
		placed, err := e.lib.Items.Place(olivia, boardItem.ID, c.team.ID)
		is.NoErr(err)
		is.Equal(placed.Placements, []string{c.team.ID})
		_, err = e.lib.Items.Get(sam, boardItem.ID)
		is.NoErr(err)
		_, err = e.lib.Items.Place(olivia, boardItem.ID, c.board.ID)
		is.Equal(code(err), errcode.Conflict) // the home spot is not a placement
		personal, err := e.lib.Spots.PersonalSpot(olivia)
		is.NoErr(err)
		_, err = e.lib.Items.Place(olivia, boardItem.ID, personal.ID)
		is.Equal(code(err), errcode.FailedPrecondition) // bookmarks, not placements

		// List pushes the visible spots down: sam sees the team items only.
		page, err := e.lib.Items.List(sam, items.Query{})
		is.NoErr(err)
		is.Equal(titles(page.Items), []string{"Team plan", "Board deck"}) // newest first, no draft
		page, err = e.lib.Items.List(olivia, items.Query{SpotID: c.team.ID})
		is.NoErr(err)
		is.Equal(titles(page.Items), []string{"Team draft", "Team plan", "Board deck"})
		page, err = e.lib.Items.List(sam, items.Query{Statuses: []items.Status{items.StatusDraft}})
		is.NoErr(err)
		is.Equal(len(page.Items), 0) // asking for drafts does not reveal them
		page, err = e.lib.Items.List(e.as(t, "vic"), items.Query{SpotID: c.team.ID})
		is.NoErr(err)
		is.Equal(len(page.Items), 0)
		_, err = e.lib.Items.List(sam, items.Query{Limit: 501})
		is.True(errcode.FieldsOf(err)["limit"] != "")

		_, err = e.lib.Items.Unplace(olivia, boardItem.ID, c.team.ID)
		is.NoErr(err)
		_, err = e.lib.Items.Get(sam, boardItem.ID)
		is.Equal(code(err), errcode.NotFound)
	})
}

func TestItemListPagination(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		olivia := e.as(t, "olivia")
		var want []string
		for i := range 23 {
			it, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "doc " + string(rune('A'+i))})
			is.NoErr(err)
			want = append([]string{it.ID}, want...)
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			is.True(pages < 10)
			page, err := e.lib.Items.List(e.as(t, "vic"), items.Query{Limit: 5, Cursor: cursor})
			is.NoErr(err)
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		is.Equal(got, want) // every item once, newest first
	})
}

func TestItemUpdate(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie := e.as(t, "eddie")
		it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindPresentation, Title: "Deck", Audience: items.External, Downloadable: true})
		is.NoErr(err)
		is.True(it.Downloadable)

		e.clock.Add(time.Minute)
		up, err := e.lib.Items.Update(eddie, it.ID, items.ItemPatch{Audience: ptr(items.Internal), Title: ptr("Deck v2")})
		is.NoErr(err)
		is.Equal(up.Title, "Deck v2")
		is.True(!up.Downloadable) // made internal: no longer downloadable
		is.Equal(up.UpdatedAt, e.clock.Now())
		is.Equal(up.CreatedAt, it.CreatedAt)

		_, err = e.lib.Items.Update(eddie, it.ID, items.ItemPatch{Title: ptr(""), Kind: ptr(items.Kind("x"))})
		is.Equal(len(errcode.FieldsOf(err)), 2)
		_, err = e.lib.Items.Update(e.as(t, "vic"), it.ID, items.ItemPatch{Title: ptr("hijack")})
		is.Equal(code(err), errcode.Forbidden) // public spot: vic sees, may not edit
		_, err = e.lib.Items.Update(eddie, it.ID, items.ItemPatch{SpotID: ptr(c.board.ID)})
		is.Equal(code(err), errcode.Invalid) // eddie cannot move it where he cannot edit
		got, err := e.lib.Items.Get(eddie, it.ID)
		is.NoErr(err)
		is.Equal(got, up) // refused updates changed nothing

		moved, err := e.lib.Items.Update(e.as(t, "olivia"), it.ID, items.ItemPatch{SpotID: ptr(c.team.ID)})
		is.NoErr(err)
		is.Equal(moved.SpotID, c.team.ID)

		is.Equal(code(e.lib.Items.Delete(eddie, it.ID)), errcode.NotFound) // eddie cannot see the team spot
		is.NoErr(e.lib.Items.Delete(e.as(t, "olivia"), it.ID))
		_, err = e.st.GetItem(e.ctx, it.ID)
		is.True(errors.Is(err, items.ErrNotFound))
	})
}

func TestItemVersionsAndDownload(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie, vic := e.as(t, "eddie"), e.as(t, "vic")
		it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "One-pager", Audience: items.External})
		is.NoErr(err)
		body := []byte("# Why Briefcase\n\nEverything a seller needs, current and compliant.\n")
		v1, err := e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "../../etc/one-pager.md", Body: bytes.NewReader(body)})
		is.NoErr(err)
		sum := sha256.Sum256(body)
		is.Equal(v1.SHA256, hex.EncodeToString(sum[:]))
		is.Equal(v1.Number, 1)
		is.Equal(v1.Filename, "one-pager.md") // no path components survive
		is.Equal(v1.Size, int64(len(body)))
		is.True(strings.HasPrefix(v1.MIMEType, "text/markdown"))

		_, _, err = e.lib.Items.Content(vic, it.ID)
		is.True(errors.Is(err, items.ErrNotDownloadable)) // not downloadable for viewers
		v, rc, err := e.lib.Items.Content(eddie, it.ID)
		is.NoErr(err) // editors of the home spot always may
		got, _ := io.ReadAll(rc)
		rc.Close()
		is.Equal(got, body)
		is.Equal(v.ID, v1.ID)

		_, err = e.lib.Items.Update(eddie, it.ID, items.ItemPatch{Downloadable: ptr(true)})
		is.NoErr(err)
		v2, err := e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "one-pager.pdf", MIMEType: "application/pdf", Body: strings.NewReader("%PDF-1.4 v2")})
		is.NoErr(err)
		is.Equal(v2.Number, 2)
		v, rc, err = e.lib.Items.Content(vic, it.ID)
		is.NoErr(err)
		got, _ = io.ReadAll(rc)
		rc.Close()
		is.Equal(string(got), "%PDF-1.4 v2") // the current version
		is.Equal(v.ID, v2.ID)

		// Refused uploads store no version.
		_, err = e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "big.bin", Body: bytes.NewReader(make([]byte, 1<<20+1))})
		is.True(errcode.FieldsOf(err)["file"] != "")
		_, err = e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "empty.txt", Body: strings.NewReader("")})
		is.True(errcode.FieldsOf(err)["file"] != "")
		_, err = e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "", Body: strings.NewReader("x")})
		is.True(errcode.FieldsOf(err)["file"] != "")
		_, err = e.lib.Items.AddVersion(vic, it.ID, items.NewVersion{Filename: "x.txt", Body: strings.NewReader("x")})
		is.Equal(code(err), errcode.Forbidden)
		vs, err := e.lib.Items.Versions(vic, it.ID)
		is.NoErr(err)
		is.Equal(len(vs), 2)
		cur, err := e.lib.Items.Get(vic, it.ID)
		is.NoErr(err)
		is.Equal(cur.CurrentVersionID, v2.ID)

		link, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindLink, Title: "Site", Source: items.Source{URL: "https://example.com"}})
		is.NoErr(err)
		_, err = e.lib.Items.AddVersion(eddie, link.ID, items.NewVersion{Filename: "x.txt", Body: strings.NewReader("x")})
		is.Equal(code(err), errcode.FailedPrecondition) // links hold no files
	})
}

func TestListsAndBookmarks(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		ada, olivia, sam := e.as(t, "ada"), e.as(t, "olivia"), e.as(t, "sam")
		_, err := e.lib.Items.CreateListGroup(olivia, "Industry")
		is.Equal(code(err), errcode.Forbidden) // the taxonomy is the admins'
		g, err := e.lib.Items.CreateListGroup(ada, "Industry")
		is.NoErr(err)
		_, err = e.lib.Items.CreateListGroup(ada, "industry")
		is.Equal(code(err), errcode.Conflict)
		_, err = e.lib.Items.CreateList(ada, "", "Finance")
		is.True(errcode.FieldsOf(err)["group_id"] != "")
		_, err = e.lib.Items.CreateList(ada, "no-such-group", "Finance")
		is.True(errcode.FieldsOf(err)["group_id"] != "")
		fin, err := e.lib.Items.CreateList(ada, g.ID, "Finance")
		is.NoErr(err)
		_, err = e.lib.Items.CreateList(ada, g.ID, "Finance")
		is.Equal(code(err), errcode.Conflict)
		pub, err := e.lib.Items.CreateList(ada, g.ID, "Public Sector")
		is.NoErr(err)

		it, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Bank case study", Audience: items.External})
		is.NoErr(err)
		_, err = e.lib.Items.AddToList(sam, fin.ID, it.ID)
		is.Equal(code(err), errcode.Forbidden) // viewers do not file content
		withList, err := e.lib.Items.AddToList(olivia, fin.ID, it.ID)
		is.NoErr(err)
		is.Equal(withList.ListIDs, []string{fin.ID})
		page, err := e.lib.Items.List(sam, items.Query{ListIDs: []string{fin.ID}})
		is.NoErr(err)
		is.Equal(titles(page.Items), []string{"Bank case study"})
		page, err = e.lib.Items.List(sam, items.Query{ListIDs: []string{pub.ID}})
		is.NoErr(err)
		is.Equal(len(page.Items), 0)

		renamed, err := e.lib.Items.UpdateList(ada, fin.ID, items.ListPatch{Name: ptr("Financial Services")})
		is.NoErr(err)
		is.Equal(renamed.Name, "Financial Services")
		groups, err := e.lib.Items.ListGroups(sam)
		is.NoErr(err)
		is.Equal(len(groups), 1)
		is.Equal(len(groups[0].Lists), 2)

		// Bookmarks live in the personal spot and follow access.
		_, err = e.lib.Items.Bookmark(sam, it.ID)
		is.NoErr(err)
		_, err = e.lib.Items.Bookmark(sam, it.ID)
		is.NoErr(err) // idempotent
		bms, err := e.lib.Items.Bookmarks(sam)
		is.NoErr(err)
		is.Equal(len(bms), 1)
		is.Equal(bms[0].Item.ID, it.ID)
		_, err = e.st.PersonalSpot(e.ctx, "sam")
		is.NoErr(err) // made on first bookmark

		is.NoErr(e.lib.Spots.Revoke(olivia, c.team.ID, spots.Group("sales")))
		bms, err = e.lib.Items.Bookmarks(sam)
		is.NoErr(err)
		is.Equal(len(bms), 0) // no longer visible, no longer listed
		is.Equal(code(e.lib.Items.Unbookmark(sam, "nope")), errcode.NotFound)

		is.NoErr(e.lib.Items.DeleteList(ada, fin.ID))
		got, err := e.lib.Items.Get(olivia, it.ID)
		is.NoErr(err)
		is.Equal(len(got.ListIDs), 0) // the item stays, its membership goes
	})
}

func TestVerifyAndAdminOverrideAudit(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		it, err := e.lib.Items.Create(e.as(t, "olivia"), items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument, Title: "Secret", FeedbackOwner: "olivia"})
		is.NoErr(err)
		v, err := e.lib.Items.Verify(e.as(t, "olivia"), it.ID)
		is.NoErr(err)
		is.Equal(v.VerifiedAt, e.clock.Now())
		is.Equal(v.VerifyBy, e.clock.Now().Add(90*24*time.Hour))

		_, err = e.lib.Items.Get(e.as(t, "ada"), it.ID)
		is.NoErr(err) // an admin reaches the board spot, as an override
		log, err := e.st.ListAudit(context.Background(), audit.Filter{Actor: "ada", SpotIDs: []string{c.board.ID}})
		is.NoErr(err)
		is.Equal(len(log), 1)
		is.True(log[0].Override)
		is.Equal(log[0].Action, "spot.override.view") // it only viewed
	})
}

func TestShareable(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		olivia, sam := e.as(t, "olivia"), e.as(t, "sam")
		internal, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Comp plan"})
		is.NoErr(err)
		external, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.team.ID, Kind: items.KindDocument, Title: "Case study", Audience: items.External})
		is.NoErr(err)
		_, _, err = e.lib.Items.Shareable(sam, internal.ID)
		is.Equal(code(err), errcode.Forbidden) // internal content is never shared
		_, _, err = e.lib.Items.Shareable(e.as(t, "ada"), internal.ID)
		is.Equal(code(err), errcode.Forbidden) // not even by an admin
		_, d, err := e.lib.Items.Shareable(sam, external.ID)
		is.NoErr(err)
		is.True(d.Allowed)
		_, _, err = e.lib.Items.Shareable(e.as(t, "vic"), external.ID)
		is.Equal(code(err), errcode.NotFound)
	})
}

func titles(list []items.Item) []string {
	out := make([]string, len(list))
	for i, it := range list {
		out[i] = it.Title
	}
	return out
}

func TestListStatusFilterPagesFully(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		olivia := e.as(t, "olivia")
		var drafts []string
		for i := range 7 {
			d, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "draft", Status: items.StatusDraft})
			is.NoErr(err)
			drafts = append([]string{d.ID}, drafts...)
			if i%2 == 0 { // published items in between
				_, err = e.lib.Items.Create(olivia, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "live"})
				is.NoErr(err)
			}
		}
		var got []string
		cursor := ""
		for range 10 {
			page, err := e.lib.Items.List(olivia, items.Query{Statuses: []items.Status{items.StatusDraft}, Limit: 2, Cursor: cursor})
			is.NoErr(err)
			if page.NextCursor != "" {
				is.Equal(len(page.Items), 2) // pages are full until the last
			}
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		is.Equal(got, drafts) // every draft once, newest first
	})
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		eddie := e.as(t, "eddie")
		it, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Deck"})
		is.NoErr(err)
		const rounds = 20
		errs := make(chan error, 3*rounds)
		var wg sync.WaitGroup
		for i := range rounds {
			wg.Go(func() {
				_, err := e.lib.Items.AddVersion(eddie, it.ID, items.NewVersion{Filename: "deck.txt", Body: strings.NewReader(strings.Repeat("v", i+1))})
				errs <- err
			})
			wg.Go(func() {
				_, err := e.lib.Items.Update(eddie, it.ID, items.ItemPatch{Description: ptr("round")})
				errs <- err
			})
			wg.Go(func() {
				_, err := e.lib.Items.Verify(eddie, it.ID)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			is.NoErr(err)
		}
		vs, err := e.lib.Items.Versions(eddie, it.ID)
		is.NoErr(err)
		is.Equal(len(vs), rounds)
		got, err := e.lib.Items.Get(eddie, it.ID)
		is.NoErr(err)
		is.Equal(got.CurrentVersionID, vs[len(vs)-1].ID) // no update put an older version back
	})
}

func TestPlacementCannotRepublishRestrictedContent(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		olivia, eddie := e.as(t, "olivia"), e.as(t, "eddie")
		_, err := e.lib.Spots.Grant(olivia, c.board.ID, spots.User("eddie"), spots.Viewer)
		is.NoErr(err)
		secret, err := e.lib.Items.Create(olivia, items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument, Title: "Board deck"})
		is.NoErr(err)
		// eddie views the board and edits the public product spot: he may
		// not expose the board's item there.
		_, err = e.lib.Items.Place(eddie, secret.ID, c.product.ID)
		is.Equal(code(err), errcode.Forbidden)
		_, err = e.lib.Items.Get(e.as(t, "vic"), secret.ID)
		is.Equal(code(err), errcode.NotFound)

		// An item homed in a public spot is everyone's already: placing it is fine.
		public, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Overview"})
		is.NoErr(err)
		_, err = e.lib.Spots.Grant(olivia, c.team.ID, spots.User("eddie"), spots.Editor)
		is.NoErr(err)
		_, err = e.lib.Items.Place(eddie, public.ID, c.team.ID)
		is.NoErr(err)

		// The home spot's editor removes a placement from a spot he cannot see.
		own, err := e.lib.Items.Create(eddie, items.NewItem{SpotID: c.product.ID, Kind: items.KindDocument, Title: "Mine"})
		is.NoErr(err)
		_, err = e.lib.Items.Place(olivia, own.ID, c.board.ID)
		is.NoErr(err)
		is.NoErr(e.lib.Spots.Revoke(olivia, c.board.ID, spots.User("eddie")))
		got, err := e.lib.Items.Unplace(eddie, own.ID, c.board.ID)
		is.NoErr(err)
		is.Equal(len(got.Placements), 0)
	})
}

func TestRefusedAdminWriteLeavesNoAudit(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		is := is.New(t)
		c := newCatalog(t, e)
		ada := e.as(t, "ada")
		it, err := e.lib.Items.Create(e.as(t, "olivia"), items.NewItem{SpotID: c.board.ID, Kind: items.KindDocument, Title: "Board deck"})
		is.NoErr(err)
		before, err := e.st.ListAudit(e.ctx, audit.Filter{Actor: "ada", Limit: 1000})
		is.NoErr(err)
		_, err = e.lib.Spots.Update(ada, c.board.ID, spots.SpotPatch{Name: ptr("")})
		is.Equal(code(err), errcode.Invalid)
		_, err = e.lib.Items.Update(ada, it.ID, items.ItemPatch{Title: ptr("")})
		is.Equal(code(err), errcode.Invalid)
		after, err := e.st.ListAudit(e.ctx, audit.Filter{Actor: "ada", Limit: 1000})
		is.NoErr(err)
		is.Equal(len(after), len(before)) // refused writes leave no trace

		_, err = e.lib.Items.Update(ada, it.ID, items.ItemPatch{Title: ptr("Board deck v2")})
		is.NoErr(err)
		after, err = e.st.ListAudit(e.ctx, audit.Filter{Actor: "ada", Limit: 1000})
		is.NoErr(err)
		is.Equal(len(after), len(before)+1)   // one entry for the write...
		is.True(after[len(after)-1].Override) // ...marked as an override
	})
}
