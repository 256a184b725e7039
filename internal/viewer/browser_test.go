package viewer_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/share"
)

// The browser tests read real pages in headless Chromium for a few seconds
// each and check the dwell times the server stored against what the test
// did. They are the only tests here that let real time pass: reading time
// is what they measure.

const (
	browserBeaconInterval = time.Second
	browserIdleAfter      = 3 * time.Second
	// dwellTolerance is how far a stored page time may be from the time the
	// test spent on the page.
	dwellTolerance = 1500 * time.Millisecond
)

const phoneUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"

// chromium returns the path of a Chromium or Chrome binary, or skips the
// test (fails it when BRIEFCASE_TEST_REQUIRE_BROWSER=1).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BRIEFCASE_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser tests need chromium; apt-get install chromium, or set BRIEFCASE_TEST_REQUIRE_BROWSER=1 to make this a failure"
	if os.Getenv("BRIEFCASE_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium binary found, and BRIEFCASE_TEST_REQUIRE_BROWSER=1: " + msg)
	}
	t.Skip(msg)
	return ""
}

// browser starts a headless Chromium with the user agent ua and returns
// the context of its first tab, bounded by timeout.
func browser(t *testing.T, ua string, timeout time.Duration) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		// The share service marks "HeadlessChrome" as a suspected bot.
		chromedp.UserAgent(ua),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return bctx
}

// do runs browser actions or fails the test.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// read keeps the reader active for d: input every 400 ms (mouse moves, or
// taps on the page heading on a touch screen). It returns when the last
// input was sent.
func read(t *testing.T, ctx context.Context, d time.Duration, touch bool) (last time.Time) {
	t.Helper()
	end := time.Now().Add(d)
	for i := 0; time.Now().Before(end); i++ {
		var step chromedp.Action[chromedp.Void]
		if touch {
			step = chromedp.TapXY(200, 30)
		} else {
			step = chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, float64(300+i%2*40), 300)
		}
		do(t, ctx, "input", step)
		last = time.Now()
		time.Sleep(min(400*time.Millisecond, time.Until(end)))
	}
	return last
}

// hide makes the tab hidden the way a reader does, by switching to another
// tab of the same window, and returns a func that switches back. It checks
// that the page saw both changes.
func hide(t *testing.T, ctx context.Context) (show func()) {
	t.Helper()
	other, cancel := chromedp.NewContext(ctx, chromedp.WithNewWindow(false))
	do(t, other, "open another tab", chromedp.Navigate("about:blank"))
	waitFor(t, ctx, `document.visibilityState === "hidden"`)
	return func() {
		t.Helper()
		if _, err := chromedp.CallBrowser(ctx, target.ActivateTarget,
			target.ActivateTargetParams{TargetID: chromedp.FromContext(ctx).Target.TargetID}); err != nil {
			t.Fatalf("activate the tab: %v", err)
		}
		waitFor(t, ctx, `document.visibilityState === "visible"`)
		cancel()
	}
}

// waitFor polls a condition in the page for at most 5 s.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !eval[bool](t, ctx, cond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 5 s", cond)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// closeTab closes the tab as a reader does: the page gets pagehide.
func closeTab(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, target.CloseTarget,
		target.CloseTargetParams{TargetID: chromedp.FromContext(ctx).Target.TargetID}); err != nil {
		t.Fatalf("close the tab: %v", err)
	}
}

// settled waits until the share's stored engagement stops changing (the
// last beacons arrive after the tab closed) and returns it.
func (e *env) settled(t *testing.T, shareID string) share.Engagement {
	t.Helper()
	var last share.Engagement
	stable := 0
	for range 40 {
		d, err := e.shares.Get(e.as("olivia"), shareID, true)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(d.Engagement) == fmt.Sprint(last) && d.Engagement.ActiveMS > 0 {
			if stable++; stable == 4 {
				return d.Engagement
			}
		} else {
			stable = 0
		}
		last = d.Engagement
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("engagement still changing after 10 s: %+v", last)
	return last
}

// pageTime is what the engagement holds for one page of one item.
func pageTime(eng share.Engagement, itemID string, page int) time.Duration {
	for _, it := range eng.Items {
		if it.ItemID != itemID {
			continue
		}
		for _, p := range it.Pages {
			if p.Page == page {
				return time.Duration(p.ActiveMS) * time.Millisecond
			}
		}
	}
	return 0
}

type dwell struct {
	name   string
	itemID string
	page   int
	want   time.Duration
}

// checkDwell compares stored page times with the expected ones, checks
// that no page got time it was not read for, and that the view's raw
// events add up without a duplicate.
func (e *env) checkDwell(t *testing.T, sh share.Share, eng share.Engagement, want []dwell) {
	t.Helper()
	var total time.Duration
	for _, w := range want {
		got := pageTime(eng, w.itemID, w.page)
		t.Logf("%s: stored %.2f s, expected %.2f s", w.name, got.Seconds(), w.want.Seconds())
		if d := got - w.want; d > dwellTolerance || d < -dwellTolerance {
			t.Errorf("%s: stored %.2f s, expected %.2f s ± %.1f s", w.name, got.Seconds(), w.want.Seconds(), dwellTolerance.Seconds())
		}
		total += got
	}
	if got := time.Duration(eng.ActiveMS) * time.Millisecond; got != total {
		t.Errorf("time on pages not read: total %v, on the expected pages %v", got, total)
	}
	if eng.Views != 1 || eng.BotViews != 0 {
		t.Errorf("views %d, bot views %d: want one person's visit", eng.Views, eng.BotViews)
	}
	vs := e.views(sh.ID)
	if len(vs) != 1 {
		t.Fatalf("%d views, want 1", len(vs))
	}
	evs, err := e.st.ListPageEvents(e.ctx, vs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for i, ev := range evs {
		if i > 0 && ev.Seq <= evs[i-1].Seq {
			t.Errorf("events out of order or repeated: seq %d after %d", ev.Seq, evs[i-1].Seq)
		}
		sum += ev.ActiveMS
	}
	if sum != eng.ActiveMS || vs[0].ActiveMS != eng.ActiveMS {
		t.Errorf("raw events add up to %d ms, the view holds %d ms, the roll-up %d ms", sum, vs[0].ActiveMS, eng.ActiveMS)
	}
	t.Logf("%d beacons from one view, %d ms in all", len(evs), sum)
}

// newBrowserEnv serves the viewer over SQLite with real time and short
// tracking intervals.
func newBrowserEnv(t *testing.T, renderer share.Renderer) *env {
	return newEnv(t, openSQLite(t), envOptions{realTime: true, renderer: renderer,
		beaconInterval: browserBeaconInterval, idleAfter: browserIdleAfter})
}

// TestBrowserPitchDwell reads a pitch in a desktop browser: page 1, then
// page 2 by the arrow key, a pause past IdleAfter, the tab hidden for a
// while, back, and the tab closed. Idle and hidden time must not count.
func TestBrowserPitchDwell(t *testing.T) {
	ctx := browser(t, desktopUA, 60*time.Second)
	e := newBrowserEnv(t, nil)
	f := e.fixture(share.LinkSettings{})

	do(t, ctx, "open the link", chromedp.Navigate(e.srv.URL+"/p/"+f.token),
		chromedp.WaitVisible(chromedp.CSS(".viewer .page-text")))
	if got := eval[string](t, ctx, `document.querySelector('.indicator').textContent.trim()`); got != "Page 1 of 3" {
		t.Fatalf("indicator %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('.page-text:not([hidden])').textContent`); got != docPages[0] {
		t.Fatalf("page 1 shows %q", got)
	}
	start := time.Now()
	read(t, ctx, 4*time.Second, false)

	do(t, ctx, "turn the page", chromedp.KeyEvent(kb.ArrowRight))
	turned := time.Now()
	page1 := turned.Sub(start)
	waitFor(t, ctx, `document.querySelector('.indicator .cur').textContent === "2"`)
	if got := eval[string](t, ctx, `document.querySelector('.page-text:not([hidden])').textContent`); got != docPages[1] {
		t.Fatalf("page 2 shows %q", got)
	}
	lastInput := read(t, ctx, 3*time.Second, false)
	// Idle well past IdleAfter: only IdleAfter of it counts.
	time.Sleep(browserIdleAfter + 3*time.Second)
	page2 := lastInput.Sub(turned) + browserIdleAfter

	// Active again, then hidden for less than IdleAfter: hidden time does
	// not count even though the reader was not idle yet.
	do(t, ctx, "move", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 500, 400))
	moved := time.Now()
	show := hide(t, ctx)
	hidden := time.Now()
	time.Sleep(2500 * time.Millisecond)
	show()
	back := time.Now()
	page2 += hidden.Sub(moved)
	read(t, ctx, 2*time.Second, false)
	closed := time.Now()
	page2 += closed.Sub(back)
	closeTab(t, ctx)

	eng := e.settled(t, f.sh.ID)
	e.checkDwell(t, f.sh, eng, []dwell{
		{"page 1", f.doc.ID, 1, page1},
		{"page 2", f.doc.ID, 2, page2},
	})
	if pageTime(eng, f.doc.ID, 3) != 0 {
		t.Errorf("page 3 was never shown but has time")
	}
}

// TestBrowserRoomOnPhone reads a room with sections on a phone-sized touch
// screen: page images turned by tapping, another section's item opened in
// place, and a screenshot of the viewport.
func TestBrowserRoomOnPhone(t *testing.T) {
	ctx := browser(t, phoneUA, 60*time.Second)
	e := newBrowserEnv(t, pageImages{})
	deck := e.item(items.KindPresentation, "Platform overview", "deck.bin", deckType, "intro\farchitecture\fsecurity")
	prices := e.item(items.KindDocument, "Price list", "prices.txt", "text/plain", "Prices for 2027\fDiscounts")
	room, links, err := e.shares.CreateRoom(e.as("olivia"), share.NewRoom{Title: "Acme × Briefcase",
		Message: "Welcome, Acme team! Everything for the evaluation is here.",
		Sections: []share.NewSection{{Title: "Start here", Items: []string{deck.ID}},
			{Title: "Commercials", Items: []string{prices.ID}}},
		Recipients: []string{"bob@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}

	do(t, ctx, "open the room on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(e.srv.URL+"/p/"+links[0].Token),
		chromedp.WaitVisible(chromedp.CSS(".viewer .page-img")))
	waitFor(t, ctx, `document.querySelector('.page-img').complete && document.querySelector('.page-img').naturalWidth === 101`)
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", w)
	}
	start := time.Now()
	read(t, ctx, 3*time.Second, true)

	do(t, ctx, "tap next", chromedp.Tap(chromedp.CSS("a.next")))
	p2 := time.Now()
	waitFor(t, ctx, `document.querySelector('.page-img').naturalWidth === 102 && document.querySelector('.indicator .cur').textContent === "2"`)
	read(t, ctx, 3*time.Second, true)

	do(t, ctx, "open the price list", chromedp.Tap(chromedp.CSS(`a.item-link[data-item-id="`+prices.ID+`"]`)))
	switched := time.Now()
	waitFor(t, ctx, `document.querySelector('.viewer').dataset.itemId === "`+prices.ID+`"`)
	if got := eval[string](t, ctx, `document.querySelector('.page-text:not([hidden])').textContent`); got != "Prices for 2027" {
		t.Fatalf("the price list shows %q", got)
	}
	read(t, ctx, 3*time.Second, true)
	do(t, ctx, "tap next", chromedp.Tap(chromedp.CSS("a.next")))
	b2 := time.Now()
	waitFor(t, ctx, `document.querySelector('.page-text:not([hidden])').textContent === "Discounts"`)
	read(t, ctx, 2*time.Second, true)

	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	closed := time.Now()
	closeTab(t, ctx)
	saveScreenshot(t, "room-phone.png", shot, 390, 844)

	eng := e.settled(t, room.ID)
	e.checkDwell(t, room, eng, []dwell{
		{"deck page 1", deck.ID, 1, p2.Sub(start)},
		{"deck page 2", deck.ID, 2, switched.Sub(p2)},
		{"price list page 1", prices.ID, 1, b2.Sub(switched)},
		{"price list page 2", prices.ID, 2, closed.Sub(b2)},
	})
}

// saveScreenshot checks a screenshot is a PNG of the viewport, writes it
// under the test's temporary directory and, when BRIEFCASE_ARTIFACTS is
// set, there too.
func saveScreenshot(t *testing.T, name string, b []byte, width, height int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if got := img.Bounds().Size(); got.X != width || got.Y != height {
		t.Errorf("screenshot is %dx%d, want %dx%d", got.X, got.Y, width, height)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("BRIEFCASE_ARTIFACTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}

// TestBrowserGates passes an e-mail gate and a passcode in a real browser:
// the forms post from pages sent with Referrer-Policy: no-referrer (so the
// browser's Origin header says "null"), which the cross-origin check must
// still accept, and the session cookie must come back on the next request.
func TestBrowserGates(t *testing.T) {
	ctx := browser(t, desktopUA, 45*time.Second)
	e := newBrowserEnv(t, nil)
	f := e.fixture(share.LinkSettings{EmailGate: true, Passcode: "blue-harbor"})
	do(t, ctx, "open the gated link", chromedp.Navigate(e.srv.URL+"/p/"+f.token),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "bob@acme.example"),
		chromedp.Submit(chromedp.CSS(`input[name="email"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)))
	do(t, ctx, "type the code", chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), e.lastCode("bob@acme.example")),
		chromedp.Submit(chromedp.CSS(`input[name="code"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="passcode"]`)))
	do(t, ctx, "type the passcode", chromedp.SendKeys(chromedp.CSS(`input[name="passcode"]`), "blue-harbor"),
		chromedp.Submit(chromedp.CSS(`input[name="passcode"]`)),
		chromedp.WaitVisible(chromedp.CSS(".viewer .page-text")))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || loc != e.srv.URL+"/p/"+f.token {
		t.Errorf("ended at %q (%v)", loc, err)
	}
	// The session is HttpOnly: the page's script cannot read it.
	if c := eval[string](t, ctx, `document.cookie`); c != "" {
		t.Errorf("document.cookie = %q", c)
	}
	vs := e.views(f.sh.ID)
	if len(vs) != 1 || vs[0].Recipient != "bob@acme.example" || vs[0].SuspectedBot {
		t.Fatalf("views %+v, want one by bob", vs)
	}
}
