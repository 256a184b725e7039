package share

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Tracking parameters.
const (
	// BeaconSlack is added to the wall time since a view's previous beacon
	// when capping the next deltas, for network jitter.
	BeaconSlack = 2 * time.Second
	// SilentViewAfter is how long a view may go without a beacon before
	// MarkSilentViews marks it as a suspected bot.
	SilentViewAfter = 2 * time.Minute
	// MaxBeaconsPerRequest bounds one beacon request.
	MaxBeaconsPerRequest = 50
	// maxDelta is the largest delta one beacon may claim.
	maxDelta = int64(time.Hour / time.Millisecond)
	maxPage  = 100_000
	// noBeacon is the bot reason of silent views.
	noBeacon = "no beacon"
)

// Visitor describes the request that opens a link.
type Visitor struct {
	UserAgent string
	// Method is the HTTP method; HEAD requests are link checks.
	Method string
	// Prefetch is set when the browser said the request is a prefetch
	// (Purpose or Sec-Purpose headers).
	Prefetch bool
}

// Visit is an opened link: the view it started, the token its page
// sends beacons with, and the items with their availability.
type Visit struct {
	Access
	View        View
	BeaconToken string
	Items       []VisitItem
}

// Open starts a visit on a resolved link: it records a View and an opened
// event (a suspected bot is marked with its reason, never refused) and
// returns the beacon token bound to the view.
func (s *Service) Open(ctx context.Context, acc Access, v Visitor) (Visit, error) {
	now := s.now()
	view := View{ID: s.opt.NewID(), ShareID: acc.Share.ID, LinkID: acc.Link.ID, Recipient: acc.Recipient,
		UserAgent: truncate(v.UserAgent, 512), Client: client(v.UserAgent), StartedAt: now}
	view.BotReason = botReason(v)
	view.SuspectedBot = view.BotReason != ""
	err := s.atomic(ctx, func(tx Stores) error {
		if err := tx.CreateView(ctx, view); err != nil {
			return err
		}
		return tx.AddEvent(ctx, Event{Type: EventOpened, ShareID: acc.Share.ID, LinkID: acc.Link.ID, ViewID: view.ID,
			Recipient: acc.Recipient, SuspectedBot: view.SuspectedBot, At: now})
	})
	if err != nil {
		return Visit{}, fmt.Errorf("share: open: %w", err)
	}
	s.observe(ctx, Activity{Type: ActOpened, At: now, ShareID: acc.Share.ID, ShareOwner: acc.Share.OwnerID,
		ViewID: view.ID, Recipient: view.Recipient, SuspectedBot: view.SuspectedBot})
	key, err := s.signingKey(ctx)
	if err != nil {
		return Visit{}, err
	}
	its, err := s.Items(ctx, acc)
	if err != nil {
		return Visit{}, err
	}
	return Visit{Access: acc, View: view, Items: its, BeaconToken: beaconToken(key, view.ID, acc.Link.ID, now.Add(BeaconTokenTTL))}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// scanners are user-agent fragments of link scanners, previewers and
// scripts (lower case).
var scanners = []string{
	"bot", "crawler", "spider", "slurp", "preview", "scanner", "headlesschrome", "phantomjs", "lighthouse",
	"python-requests", "python-urllib", "aiohttp", "curl/", "wget/", "go-http-client", "java/", "okhttp",
	"libwww", "httpclient", "facebookexternalhit", "whatsapp", "microsoft office", "ms-office", "outlook-",
	"proofpoint", "mimecast", "barracuda", "urldefense", "safelinks", "symantec", "forcepoint", "trendmicro",
	"bitdefender", "zscaler", "checkpoint", "fortiguard", "cisco", "ironport", "appriver", "sophos",
}

// botReason explains why a visit looks automated, or returns "".
func botReason(v Visitor) string {
	switch {
	case strings.EqualFold(v.Method, "HEAD"):
		return "HEAD request"
	case v.Prefetch:
		return "prefetch"
	case strings.TrimSpace(v.UserAgent) == "":
		return "no user agent"
	}
	ua := strings.ToLower(v.UserAgent)
	for _, s := range scanners {
		if strings.Contains(ua, s) {
			return fmt.Sprintf("user agent looks like a scanner (%q)", s)
		}
	}
	return ""
}

// client describes a user agent coarsely: "mobile, Safari".
func client(ua string) string {
	device := "desktop"
	switch {
	case strings.Contains(ua, "iPad") || strings.Contains(ua, "Tablet"):
		device = "tablet"
	case strings.Contains(ua, "Mobi") || strings.Contains(ua, "iPhone") || strings.Contains(ua, "Android"):
		device = "mobile"
	}
	browser := "other"
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "OPR/"):
		browser = "Opera"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "CriOS/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	}
	return device + ", " + browser
}

// BeaconResult is the answer to a beacon request.
type BeaconResult struct {
	// Accepted beacons were stored; Duplicates had been stored before
	// (same view and seq); Rejected named items no longer served.
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	// Token replaces the beacon token for the next beacons.
	Token string `json:"token"`
}

// Beacon records beacons of one view. linkToken is the link the page was
// opened with, token the beacon token Open returned (or the last one Beacon
// returned). Beacons of many concurrent calls are committed together, and
// the checks run inside the transaction that commits them: the link must
// be live (not revoked, its share not revoked, not expired) and each item
// must still be served, or the beacon is rejected (Rejected counts beacons
// naming items no longer served; a dead link fails the call).
func (s *Service) Beacon(ctx context.Context, linkToken, token string, bs []Beacon) (BeaconResult, error) {
	now := s.now()
	key, err := s.signingKey(ctx)
	if err != nil {
		return BeaconResult{}, err
	}
	viewID, linkID, _, ok := parseBeaconToken(key, token, now)
	if !ok {
		// A dead link says so rather than blaming the token.
		if _, _, err := s.link(ctx, linkToken, now); err != nil {
			return BeaconResult{}, err
		}
		return BeaconResult{}, ErrBadBeacon
	}
	if len(bs) == 0 || len(bs) > MaxBeaconsPerRequest {
		return BeaconResult{}, fmt.Errorf("%w: beacons: send 1 to %d", ErrInvalid, MaxBeaconsPerRequest)
	}
	for i, b := range bs {
		switch {
		case b.Seq < 1 || b.Seq > 1e9:
			return BeaconResult{}, fmt.Errorf("%w: beacons[%d].seq: must be 1 to 1e9", ErrInvalid, i)
		case b.Page < 1 || b.Page > maxPage:
			return BeaconResult{}, fmt.Errorf("%w: beacons[%d].page: must be 1 to %d", ErrInvalid, i, maxPage)
		case b.ActiveMS < 0 || b.ActiveMS > maxDelta:
			return BeaconResult{}, fmt.Errorf("%w: beacons[%d].active_ms: must be 0 to %d", ErrInvalid, i, maxDelta)
		case b.ItemID == "" || len(b.ItemID) > 100:
			return BeaconResult{}, fmt.Errorf("%w: beacons[%d].item_id: required", ErrInvalid, i)
		}
	}
	j := &beaconJob{tokenHash: hashToken(linkToken), linkID: linkID, viewID: viewID, at: now, beacons: bs,
		done: make(chan struct{})}
	s.beacons.submit(context.WithoutCancel(ctx), j)
	if j.err != nil {
		return BeaconResult{}, j.err
	}
	return BeaconResult{Accepted: j.accepted, Duplicates: j.dups, Rejected: j.rejected,
		Token: beaconToken(key, viewID, linkID, now.Add(BeaconTokenTTL))}, nil
}

// beaconJob is one Beacon call waiting to be committed.
type beaconJob struct {
	tokenHash string // of the link token the request named
	linkID    string // of the beacon token
	viewID    string
	at        time.Time
	beacons   []Beacon

	accepted, dups, rejected int
	err                      error
	done                     chan struct{}
}

// batcher commits beacon jobs in groups: the first caller to find nobody
// committing becomes the committer and commits everything queued, batch
// after batch, until the queue is empty; the others wait for their job.
type batcher struct {
	mu      sync.Mutex
	queue   []*beaconJob
	running bool
	process func(ctx context.Context, jobs []*beaconJob)
}

// maxBatch caps the jobs of one transaction.
const maxBatch = 512

func (b *batcher) submit(ctx context.Context, j *beaconJob) {
	b.mu.Lock()
	b.queue = append(b.queue, j)
	if b.running {
		b.mu.Unlock()
		<-j.done
		return
	}
	b.running = true
	for len(b.queue) > 0 {
		// A small batch waits a moment for callers that are on their way:
		// the commit costs about the same for 10 beacons as for 500.
		for i := 0; i < 16 && len(b.queue) < 128; i++ {
			b.mu.Unlock()
			runtime.Gosched()
			b.mu.Lock()
		}
		n := min(len(b.queue), maxBatch)
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		b.mu.Unlock()
		b.process(ctx, batch)
		for _, j := range batch {
			close(j.done)
		}
		b.mu.Lock()
	}
	b.queue = nil
	b.running = false
	b.mu.Unlock()
}

// errDuplicates aborts a batch transaction that found beacons stored by an
// earlier one, so it can be redone without them.
var errDuplicates = errors.New("share: duplicate beacons")

type dupKey struct {
	view string
	seq  int64
}

// applyBeacons commits a batch of jobs in one transaction. Deltas are
// capped per view: what the beacons of one arrival credit together is at
// most the wall time since the view's previous accepted beacon (or its
// start) plus BeaconSlack.
func (s *Service) applyBeacons(ctx context.Context, jobs []*beaconJob) {
	known := map[dupKey]bool{} // stored by earlier transactions
	var notices []Notice
	var acts []Activity
	for attempt := 0; ; attempt++ {
		notices, acts = notices[:0], acts[:0]
		err := s.atomic(ctx, func(tx Stores) error {
			return s.applyBatch(ctx, tx, jobs, known, &notices, &acts)
		})
		if errors.Is(err, errDuplicates) && attempt < 3 {
			continue
		}
		if err != nil {
			for _, j := range jobs {
				if j.err == nil {
					j.err = fmt.Errorf("share: beacon: %w", err)
				}
				j.accepted, j.dups, j.rejected = 0, 0, 0
			}
			return
		}
		break
	}
	for _, n := range notices {
		s.notify(ctx, n)
	}
	s.observe(ctx, acts...)
}

// applyBatch is one attempt of applyBeacons. known holds (view, seq) pairs
// found stored by earlier transactions; it grows when this attempt finds
// more, and the attempt then fails with errDuplicates.
func (s *Service) applyBatch(ctx context.Context, tx Stores, jobs []*beaconJob, known map[dupKey]bool, notices *[]Notice,
	acts *[]Activity) error {
	type viewState struct {
		v          View
		first      bool // no beacon accepted before this batch
		last       time.Time
		accepted   int
		activeMS   int64
		lastArrive time.Time
	}
	views := map[string]*viewState{}
	var order []string
	var evs []PageEvent
	var evJob []*beaconJob
	seen := map[dupKey]bool{}
	links := map[string]linkState{} // by token hash, read once per batch
	served := map[[2]string]bool{}  // (share, item) → still served
	spotOf := map[string]string{}   // item → home spot
	// The batch's views, read in one call.
	var ids []string
	for _, j := range jobs {
		if views[j.viewID] == nil {
			views[j.viewID] = &viewState{}
			ids = append(ids, j.viewID)
		}
	}
	found, err := tx.GetViews(ctx, ids)
	if err != nil {
		return err
	}
	for _, v := range found {
		vs := views[v.ID]
		*vs = viewState{v: v, first: v.Beacons == 0, last: v.StartedAt}
		if v.LastBeaconAt.After(vs.last) {
			vs.last = v.LastBeaconAt
		}
		order = append(order, v.ID)
	}
	for _, j := range jobs {
		j.accepted, j.dups, j.rejected, j.err = 0, 0, 0, nil
		ls, ok := links[j.tokenHash]
		if !ok {
			var err error
			if ls, err = s.linkState(ctx, tx, j.tokenHash, j.at); err != nil {
				return err
			}
			links[j.tokenHash] = ls
		}
		switch {
		case ls.err != nil:
			j.err = ls.err
			continue
		case ls.link.ID != j.linkID:
			j.err = ErrBadBeacon
			continue
		}
		vs := views[j.viewID]
		if vs.v.ID == "" || vs.v.LinkID != j.linkID {
			j.err = ErrBadBeacon
			continue
		}
		// The visitor must still be let in: allow and deny lists may have
		// changed since the view began.
		if vs.v.Recipient != "" {
			if ok, why := mayEnter(ls.link, vs.v.Recipient); !ok {
				j.err = fmt.Errorf("%w: %s", ErrRefused, why)
				continue
			}
		}
		budget := j.at.Sub(vs.last).Milliseconds() + BeaconSlack.Milliseconds()
		// The slack is given once per visit, not once per request: a view
		// is never credited more than the wall time since it began, plus
		// the slack.
		budget = min(budget, j.at.Sub(vs.v.StartedAt).Milliseconds()+BeaconSlack.Milliseconds()-(vs.v.ActiveMS+vs.activeMS))
		if budget < 0 {
			budget = 0
		}
		accepted := false
		for _, b := range j.beacons {
			sk := [2]string{ls.share.ID, b.ItemID}
			ok, cached := served[sk]
			if !cached {
				if _, in := ls.share.Item(b.ItemID); in {
					it, err := tx.GetItem(ctx, b.ItemID)
					a, err := availability(it, err, j.at)
					if err != nil {
						return err
					}
					ok = a == Available
					spotOf[b.ItemID] = it.SpotID
				}
				served[sk] = ok
			}
			if !ok {
				j.rejected++
				continue
			}
			k := dupKey{j.viewID, b.Seq}
			if seen[k] || known[k] {
				j.dups++
				continue
			}
			seen[k] = true
			credited := min(b.ActiveMS, budget)
			budget -= credited
			evs = append(evs, PageEvent{ViewID: j.viewID, Seq: b.Seq, ItemID: b.ItemID, Page: b.Page,
				ClaimedMS: b.ActiveMS, ActiveMS: credited, At: j.at})
			evJob = append(evJob, j)
			vs.accepted++
			vs.activeMS += credited
			accepted = true
		}
		if accepted {
			vs.last = j.at
			vs.lastArrive = j.at
		}
	}
	if len(evs) == 0 {
		return nil
	}
	added, err := tx.AddPageEvents(ctx, evs)
	if err != nil {
		return err
	}
	dup := false
	for i, ok := range added {
		if !ok {
			known[dupKey{evs[i].ViewID, evs[i].Seq}] = true
			dup = true
		}
	}
	if dup {
		return errDuplicates
	}
	for i, e := range evs {
		evJob[i].accepted++
		v := views[e.ViewID].v
		*acts = append(*acts, Activity{Type: ActPage, At: e.At, ShareID: v.ShareID, ShareOwner: evJobOwner(links, v.ShareID),
			ViewID: e.ViewID, Recipient: v.Recipient, ItemID: e.ItemID, SpotID: spotOf[e.ItemID], Page: e.Page,
			ActiveMS: e.ActiveMS, SuspectedBot: v.SuspectedBot && v.BotReason != noBeacon}) // a beacon clears "no beacon"
	}
	stats := map[[3]string]*PageStat{}
	var statOrder [][3]string
	for _, e := range evs {
		k := [3]string{e.ViewID, e.ItemID, fmt.Sprint(e.Page)}
		st := stats[k]
		if st == nil {
			st = &PageStat{ViewID: e.ViewID, ItemID: e.ItemID, Page: e.Page, FirstAt: e.At}
			stats[k] = st
			statOrder = append(statOrder, k)
		}
		st.ActiveMS += e.ActiveMS
		st.Beacons++
		st.LastAt = e.At
	}
	flat := make([]PageStat, len(statOrder))
	for i, k := range statOrder {
		flat[i] = *stats[k]
	}
	if err := tx.AddPageStats(ctx, flat); err != nil {
		return err
	}
	var changed []View
	for _, id := range order {
		vs := views[id]
		if vs.accepted == 0 {
			continue
		}
		v := vs.v
		v.LastBeaconAt = vs.lastArrive
		v.Beacons += vs.accepted
		v.ActiveMS += vs.activeMS
		if v.SuspectedBot && v.BotReason == noBeacon {
			v.SuspectedBot, v.BotReason = false, ""
		}
		if vs.first && !v.SuspectedBot && v.NotifiedAt.IsZero() {
			v.NotifiedAt = vs.lastArrive
			for _, ls := range links {
				if ls.share.ID == v.ShareID {
					*notices = append(*notices, visitNotice(ls.share, v))
					break
				}
			}
		}
		changed = append(changed, v)
	}
	return tx.UpdateViews(ctx, changed)
}

// evJobOwner finds the owner of a share among the links of a batch.
func evJobOwner(links map[string]linkState, shareID string) string {
	for _, ls := range links {
		if ls.share.ID == shareID {
			return ls.share.OwnerID
		}
	}
	return ""
}

// linkState is a link read for a batch of beacons: the link and its share,
// or why beacons on it are refused.
type linkState struct {
	link  Link
	share Share
	err   error
}

// linkState reads and checks the link with this token hash: a refusal is
// in the state's err; a failing store is the error returned.
func (s *Service) linkState(ctx context.Context, tx Stores, hash string, now time.Time) (linkState, error) {
	l, err := tx.GetLinkByTokenHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return linkState{err: ErrLinkNotFound}, nil
	}
	if err != nil {
		return linkState{}, err
	}
	sh, err := tx.GetShare(ctx, l.ShareID)
	if errors.Is(err, ErrNotFound) {
		return linkState{err: ErrLinkNotFound}, nil
	}
	if err != nil {
		return linkState{}, err
	}
	switch {
	case !l.RevokedAt.IsZero() || !sh.RevokedAt.IsZero():
		return linkState{err: ErrLinkRevoked}, nil
	case !l.Settings.ExpiresAt.IsZero() && !now.Before(l.Settings.ExpiresAt):
		return linkState{err: ErrLinkExpired}, nil
	}
	return linkState{link: l, share: sh}, nil
}

// visitNotice tells a share's owner someone is reading it.
func visitNotice(sh Share, v View) Notice {
	who := v.Recipient
	if who == "" {
		who = "Someone"
	}
	return Notice{To: sh.OwnerID, Kind: "share.viewed", Key: "share.viewed/" + v.ID,
		Subject: fmt.Sprintf("%s is viewing %q", who, sh.Title),
		Body: fmt.Sprintf("%s opened your %s %q at %s (%s).", who, sh.Kind, sh.Title,
			v.StartedAt.Format(time.RFC1123), v.Client)}
}

// MarkSilentViews marks views that started more than SilentViewAfter
// before now without a single beacon as suspected bots ("no beacon"): a
// person's browser sends one within seconds. A later beacon clears the
// mark. It returns how many views it marked; Library.Run calls it.
func (s *Service) MarkSilentViews(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for {
		vs, err := s.st.ListViews(ctx, ViewFilter{NoBeaconBefore: now.Add(-SilentViewAfter), Limit: 500})
		if err != nil {
			return n, fmt.Errorf("share: silent views: %w", err)
		}
		if len(vs) == 0 {
			return n, nil
		}
		before := n
		err = s.atomic(ctx, func(tx Stores) error {
			for _, v := range vs {
				cur, err := tx.GetView(ctx, v.ID)
				if err != nil {
					return err
				}
				if cur.Beacons > 0 || cur.SuspectedBot {
					continue
				}
				cur.SuspectedBot, cur.BotReason = true, noBeacon
				if err := tx.UpdateView(ctx, cur); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("share: silent views: %w", err)
		}
		if len(vs) < 500 || n == before {
			return n, nil
		}
	}
}
