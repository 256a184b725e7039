package briefcase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/briefcasehq/briefcase/analytics"
	"github.com/briefcasehq/briefcase/auth"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/extract"
	"github.com/briefcasehq/briefcase/governance"
	"github.com/briefcasehq/briefcase/internal/httpapi"
	"github.com/briefcasehq/briefcase/internal/metrics"
	"github.com/briefcasehq/briefcase/internal/viewer"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/notify"
	"github.com/briefcasehq/briefcase/search"
	"github.com/briefcasehq/briefcase/search/memsearch"
	"github.com/briefcasehq/briefcase/share"
	"github.com/briefcasehq/briefcase/spots"
	"github.com/briefcasehq/briefcase/store"
)

// Config assembles a Library. Store and Blobs are required; the rest have
// defaults.
type Config struct {
	// Store persists everything (sqlitestore, pgstore, memstore, or yours).
	// The Library does not close it: whoever opened it does.
	Store store.Store
	// Blobs holds version contents (localblobs, or an object store).
	Blobs items.Blobs
	// Identity resolves the principal of an API request. By default, bearer
	// API tokens issued by Library.Tokens.
	Identity Identity
	// Notifier delivers notices; by default they are logged.
	Notifier Notifier
	// Now is the clock every service uses; time.Now by default.
	Now func() time.Time
	// Logger receives structured logs; discarded by default.
	Logger *slog.Logger
	// MaxUploadBytes caps one uploaded version; 512 MiB by default.
	MaxUploadBytes int64
	// Extractor pulls the text out of uploads for search; by default
	// extract.New, which reads text, Markdown, HTML, DOCX, PPTX and PDF. To
	// index metadata only, give one that answers items.ErrUnsupported.
	Extractor items.Extractor
	// Indexer is the search engine. By default an in-memory index
	// (search/memsearch) that Run fills from the store; servers use
	// search/blugesearch on disk. The Library closes the default one, not
	// one given here.
	Indexer search.Indexer
	// Ranking tunes search ranking; zero fields take defaults.
	Ranking search.Ranking
	// Signals feeds analytics' trending and popular signals into the index.
	Signals search.Signals
	// FollowInterval is how often the index polls the change feed for
	// writes made outside this Library (other nodes, the CLI); writes
	// through this Library's handler wake it at once. 250 ms by default.
	FollowInterval time.Duration
	// PublicURL is the base URL buyers' links are built on
	// ("https://briefcase.example.com"); by default the API derives it
	// from each request.
	PublicURL string
	// Renderer draws document pages as images in the buyer viewer;
	// without one the viewer shows each page's text.
	Renderer share.Renderer
	// ShareSigningKey signs beacon tokens and gate sessions; by default a
	// random key kept in the store, shared by every node.
	ShareSigningKey []byte
	// Analytics keeps the event log and its roll-ups. By default the Store,
	// when it implements analytics.Store too (sqlitestore and memstore do);
	// give another to keep events in another database. Without either,
	// nothing is recorded and Library.Analytics is nil.
	Analytics analytics.Store
	// AnalyticsOptions tune recording, trending and retention.
	AnalyticsOptions analytics.Options
	// CRM provides accounts, opportunities and contacts for the influenced
	// revenue report (analytics/salesforce, analytics/csvcrm, or yours);
	// without one that report answers unavailable.
	CRM analytics.CRM
	// Influence tunes the influenced revenue report (model, default range).
	Influence analytics.InfluenceOptions
	// ReadyIndexLag is how many changes the search index may be behind the
	// store while /readyz still answers ready; 1,000 by default.
	ReadyIndexLag int
	// LogRequests writes one Info record per HTTP request to Logger
	// (method, route pattern, status, duration; never a buyer's path,
	// which holds the link's token). briefcase serve turns it on.
	LogRequests bool
	// SweepInterval is how often Run sweeps governance (lifecycle moves
	// and notices); one minute by default.
	SweepInterval time.Duration
	// Governance tunes the governance service: the basic user training's
	// name and deadline after provisioning, delivery retries and timeouts.
	// Its Now, Logger, Send, Sharers, Views, LastChange, Changes and OnSweep
	// are set by the Library.
	Governance governance.Options
}

// Identity resolves the principal behind an HTTP request to the API.
// Implementations return an error with code unauthenticated when the request
// carries no valid credentials.
type Identity interface {
	Authenticate(r *http.Request) (spots.Principal, error)
}

// Notification is a message for one principal (To, with Email filled by
// the Library from the stored principal), or for one outside address
// (Email alone). See the notify package.
type Notification = notify.Notification

// Notifier delivers notifications; the notify package has a structured
// log, a signed webhook, SMTP e-mail, a recorder and a fan-out.
// Implementations must be safe for concurrent use.
type Notifier = notify.Notifier

// Library is an assembled Briefcase: its services, HTTP handlers and
// background jobs. Create it with New.
type Library struct {
	// Spots manages spots, roles and principals.
	Spots *spots.Service
	// Items manages content, versions, lists and bookmarks.
	Items *items.Service
	// Tokens issues and verifies API tokens.
	Tokens *auth.Tokens
	// Search finds content the caller may see.
	Search *search.Service
	// Shares sends pitches and rooms to buyers and tracks engagement.
	Shares *share.Service
	// Analytics records events and answers trending, popular and reports;
	// nil when no analytics store is configured.
	Analytics *analytics.Service
	// Influence answers the influenced revenue report; nil without
	// Config.CRM or analytics.
	Influence *analytics.Influencer
	// Governance applies spot policies, sweeps the lifecycle, sends
	// notices, runs approvals and answers the compliance report and the
	// audit log.
	Governance *governance.Service

	cfg       Config
	metrics   libraryMetrics
	handler   http.Handler
	viewer    http.Handler
	follower  *search.Follower
	ownsIndex bool
	closeOnce sync.Once
}

// New assembles a Library. It starts nothing: background jobs run in Run.
func New(ctx context.Context, cfg Config) (*Library, error) {
	if cfg.Store == nil {
		return nil, errors.New("briefcase: Config.Store is required")
	}
	if cfg.Blobs == nil {
		return nil, errors.New("briefcase: Config.Blobs is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Notifier == nil {
		cfg.Notifier = notify.NewLog(cfg.Logger)
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	if cfg.ReadyIndexLag <= 0 {
		cfg.ReadyIndexLag = 1000
	}
	st := cfg.Store
	lib := &Library{cfg: cfg}
	lib.Spots = spots.NewService(st, func(ctx context.Context, fn func(spots.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, spots.Options{Now: cfg.Now, Logger: cfg.Logger})
	if cfg.Extractor == nil {
		cfg.Extractor = extract.New(extract.Options{})
	}
	if cfg.Analytics == nil {
		cfg.Analytics, _ = st.(analytics.Store)
	}
	lib.cfg = cfg
	gopt := cfg.Governance
	gopt.Now, gopt.Logger, gopt.Send, gopt.Sharers = cfg.Now, cfg.Logger, lib.sendGovernance, lib.sharers
	gopt.LastChange, gopt.Changes, gopt.OnSweep = st.LastChangeSeq, changedSince, lib.countSweep
	if cfg.Analytics != nil {
		gopt.Views = lib.itemViews
	}
	lib.Governance = governance.NewService(st, func(ctx context.Context, fn func(governance.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, lib.Spots, gopt)
	lib.Items = items.NewService(st, func(ctx context.Context, fn func(items.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, lib.Spots, cfg.Blobs, items.Options{Now: cfg.Now, Logger: cfg.Logger, MaxUploadBytes: cfg.MaxUploadBytes,
		Extractor: cfg.Extractor, Observe: lib.recordItem, Governor: lib.Governance})
	if cfg.Analytics != nil {
		ao := cfg.AnalyticsOptions
		if ao.Now == nil {
			ao.Now = cfg.Now
		}
		if ao.Logger == nil {
			ao.Logger = cfg.Logger
		}
		lib.Analytics = analytics.NewService(cfg.Analytics, lib.Spots, lib.Items, ao)
		if cfg.Signals == nil {
			cfg.Signals = lib.Analytics
		}
	}
	lib.Tokens = auth.NewTokens(st, st, st, cfg.Now)
	if cfg.Indexer == nil {
		cfg.Indexer = memsearch.New()
		lib.cfg.Indexer = cfg.Indexer
		lib.ownsIndex = true
	}
	lib.follower = search.NewFollower(st, cfg.Indexer, search.FollowerOptions{Interval: cfg.FollowInterval,
		Signals: cfg.Signals, Logger: cfg.Logger})
	lib.Search = search.NewService(cfg.Indexer, st, lib.Spots, search.Options{Now: cfg.Now, Ranking: cfg.Ranking,
		Logger: cfg.Logger, Follower: lib.follower, Observe: lib.recordSearch, Signals: cfg.Signals})
	lib.Shares = share.NewService(st, func(ctx context.Context, fn func(share.Stores) error) error {
		return st.Atomic(ctx, func(tx store.Store) error { return fn(tx) })
	}, lib.Items, cfg.Blobs, share.Options{Now: cfg.Now, Logger: cfg.Logger, SigningKey: cfg.ShareSigningKey,
		Renderer: cfg.Renderer, Observe: lib.recordShare, Notify: func(ctx context.Context, n share.Notice) error {
			return lib.notify(ctx, Notification{To: n.To, Email: n.Email, Subject: n.Subject, Body: n.Body,
				Kind: n.Kind, Key: n.Key})
		}})
	if lib.Analytics != nil && cfg.CRM != nil {
		lib.Influence = analytics.NewInfluencer(lib.Analytics, cfg.CRM, shareResolver{st}, cfg.Influence)
	}
	lib.metrics = newLibraryMetrics(lib)
	if cfg.Identity == nil {
		cfg.Identity = lib.Tokens
		lib.cfg.Identity = lib.Tokens
	}
	lib.handler = httpapi.New(httpapi.Config{
		Spots:          lib.Spots,
		Items:          lib.Items,
		Tokens:         lib.Tokens,
		Search:         lib.Search,
		Shares:         lib.Shares,
		PublicURL:      cfg.PublicURL,
		Analytics:      lib.Analytics,
		Influence:      lib.Influence,
		Governance:     lib.Governance,
		Now:            cfg.Now,
		Reindex:        lib.Reindex,
		Identity:       cfg.Identity,
		Ready:          lib.ready,
		MaxUploadBytes: cfg.MaxUploadBytes,
		Logger:         cfg.Logger,
		Metrics:        lib.metrics.reg,
		RequestLog:     requestLog(cfg),
	})
	lib.handler = wakeOnWrite(lib.handler, lib.follower)
	lib.viewer = viewer.New(viewer.Config{Shares: lib.Shares, Logger: cfg.Logger, PublicURL: cfg.PublicURL,
		Metrics: lib.metrics.reg, RequestLog: requestLog(cfg)})
	return lib, nil
}

// wakeOnWrite wakes the index follower after every API write, so what a
// user just saved is searchable at once rather than at the next poll.
func wakeOnWrite(h http.Handler, f *search.Follower) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			f.Wake()
		}
	})
}

// ready reports whether the store answers and the search index has caught
// up with it (within Config.ReadyIndexLag changes): a node whose index is
// being rebuilt, after a restore or on a new machine, is kept out of a
// load balancer until its searches are complete.
func (l *Library) ready(ctx context.Context) error {
	if p, ok := l.cfg.Store.(interface{ Ping(context.Context) error }); ok {
		if err := p.Ping(ctx); err != nil {
			return err
		}
	}
	last, err := l.cfg.Store.LastChangeSeq(ctx)
	if err != nil {
		return err
	}
	applied, err := l.cfg.Indexer.AppliedSeq(ctx)
	if err != nil {
		return fmt.Errorf("briefcase: search index: %w", err)
	}
	if lag := last - applied; lag > int64(l.cfg.ReadyIndexLag) {
		return fmt.Errorf("briefcase: the search index is %d changes behind the store", lag)
	}
	return nil
}

// Handler returns the authenticated JSON API (/api/v1/...) with /healthz,
// /readyz and /metrics (Prometheus text format, unauthenticated: restrict
// it at the network level if it must stay private). Mount it at the root of a mux, or under a prefix with
// http.StripPrefix.
func (l *Library) Handler() http.Handler { return l.handler }

// ViewerHandler returns the public, unauthenticated pages buyers open:
// /p/{token} (a pitch or room), its items, pages, files and downloads, and
// the beacon endpoint that records their reading (their request counts and
// timings are in Handler's /metrics). Mount it at /p/ next to Handler; it
// must be served at the same origin as the links' PublicURL.
// Every request re-checks the link (revoked, expired, gated) and the item
// (still external, not expired or archived).
func (l *Library) ViewerHandler() http.Handler { return l.viewer }

// Run runs the background jobs until ctx ends, then returns nil: the search
// index follower (which first catches up with the store); the analytics
// recorder (which writes queued events, and flushes them when ctx ends)
// and the daily pruning of raw events past their retention; the
// downstream-impact watcher, which tells share owners when an item in a
// live share gets a new version, is made internal, expires, is archived or
// deleted (all live shares are checked at start, then the items of the
// change feed); and the marking of views that never sent a beacon as
// suspected bots. It is safe to call once per Library.
func (l *Library) Run(ctx context.Context) error {
	ctx = SystemContext(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { l.watchImpact(ctx, impactInterval) })
	wg.Go(func() { l.markSilentViews(ctx, silentInterval) })
	wg.Go(func() { l.sweep(ctx, l.cfg.SweepInterval) })
	if l.Analytics != nil {
		wg.Go(func() { l.Analytics.Run(ctx) })
		wg.Go(func() { l.pruneEvents(ctx, pruneInterval) })
		wg.Go(func() { l.refreshSignals(ctx, signalsInterval) })
	}
	err := l.follower.Run(ctx)
	wg.Wait()
	return err
}

// Intervals of Run's share jobs.
const (
	impactInterval = 2 * time.Second
	silentInterval = 30 * time.Second
	pruneInterval  = 24 * time.Hour
	// signalsInterval: how often the items engaged with today and yesterday
	// are re-indexed with fresh trending and popular values (for the sorts;
	// relevance reads them live); every item of the trending window is
	// refreshed once a day, as the decay moves.
	signalsInterval = 10 * time.Minute
	maxRefresh      = 100_000
)

// refreshSignals keeps the indexed search signals current.
func (l *Library) refreshSignals(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var lastFull time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := l.cfg.Now()
		since := now.AddDate(0, 0, -1)
		if now.Sub(lastFull) >= 24*time.Hour {
			window := l.cfg.AnalyticsOptions.TrendingWindow
			if window <= 0 {
				window = 14 * 24 * time.Hour
			}
			since, lastFull = now.Add(-window), now
		}
		ids, err := l.Analytics.Engaged(ctx, since, maxRefresh)
		if err == nil {
			_, err = l.RefreshSignals(ctx, ids)
		}
		if err != nil && ctx.Err() == nil {
			l.cfg.Logger.ErrorContext(ctx, "search signals refresh", "err", err)
		}
	}
}

// pruneEvents deletes raw analytics events past their retention, daily.
func (l *Library) pruneEvents(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := l.Analytics.Prune(ctx, l.cfg.Now()); err != nil && ctx.Err() == nil {
			l.cfg.Logger.ErrorContext(ctx, "analytics: prune", "err", err)
		} else if n > 0 {
			l.cfg.Logger.InfoContext(ctx, "analytics: pruned raw events", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watchImpact checks every live share once, then the shares holding each
// item the change feed reports as changed.
func (l *Library) watchImpact(ctx context.Context, every time.Duration) {
	st := l.cfg.Store
	seq, err := st.LastChangeSeq(ctx)
	if err != nil && ctx.Err() == nil {
		l.cfg.Logger.ErrorContext(ctx, "share impact: change feed", "err", err)
	}
	if _, err := l.Shares.CheckImpact(ctx, nil); err != nil && ctx.Err() == nil {
		l.cfg.Logger.ErrorContext(ctx, "share impact", "err", err)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next, err := l.checkImpactSince(ctx, seq)
		if err != nil {
			if ctx.Err() == nil {
				l.cfg.Logger.ErrorContext(ctx, "share impact", "err", err)
			}
			continue
		}
		seq = next
	}
}

// checkImpactSince checks the shares of the items changed after seq and
// returns the last sequence it handled.
func (l *Library) checkImpactSince(ctx context.Context, seq int64) (int64, error) {
	for {
		changes, err := l.cfg.Store.Changes(ctx, seq, 1000)
		if err != nil {
			return seq, err
		}
		var ids []string
		for _, c := range changes {
			if c.Entity == store.EntityItem && !slices.Contains(ids, c.EntityID) {
				ids = append(ids, c.EntityID)
			}
		}
		if len(ids) > 0 {
			if _, err := l.Shares.CheckImpact(ctx, ids); err != nil {
				return seq, err
			}
		}
		if len(changes) == 0 {
			return seq, nil
		}
		seq = changes[len(changes)-1].Seq
		if len(changes) < 1000 {
			return seq, nil
		}
	}
}

// markSilentViews marks views without a beacon as suspected bots.
func (l *Library) markSilentViews(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := l.Shares.MarkSilentViews(ctx, l.cfg.Now()); err != nil && ctx.Err() == nil {
			l.cfg.Logger.ErrorContext(ctx, "share: silent views", "err", err)
		}
	}
}

// RefreshSignals re-indexes items with their current trending and popular
// signals (Run does it every 10 minutes for the items engaged with since
// yesterday) and returns how many it indexed.
func (l *Library) RefreshSignals(ctx context.Context, itemIDs []string) (int, error) {
	return l.follower.Refresh(ctx, itemIDs)
}

// CatchUp brings the search index up to date with the store now and
// returns the number of changes applied. Run does this continuously;
// programs that do not call Run (tests, CLI commands) call CatchUp.
func (l *Library) CatchUp(ctx context.Context) (int, error) { return l.follower.CatchUp(ctx) }

// Reindex rebuilds the search index from the store while the current index
// keeps serving, and returns the number of items indexed. Only admins (and
// the system principal) may.
func (l *Library) Reindex(ctx context.Context) (int, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return 0, err
	}
	if !p.IsAdmin() {
		return 0, fmt.Errorf("%w: only admins rebuild the search index", spots.ErrForbidden)
	}
	return l.follower.Reindex(ctx)
}

// Close writes the analytics events still queued and releases what the
// Library holds: the default in-memory index. It does not close
// Config.Store or a Config.Indexer given to it. Calling
// Close more than once is a no-op.
func (l *Library) Close() error {
	var err error
	l.closeOnce.Do(func() {
		if l.Analytics != nil {
			ctx, cancel := context.WithTimeout(SystemContext(context.Background()), 5*time.Second)
			defer cancel()
			err = l.Analytics.Flush(ctx)
		}
		if l.ownsIndex {
			err = errors.Join(err, l.cfg.Indexer.Close())
		}
	})
	return err
}

// WithPrincipal returns a context carrying p: services act as p and fail
// closed when a context carries no principal.
func WithPrincipal(ctx context.Context, p spots.Principal) context.Context {
	return spots.WithPrincipal(ctx, p)
}

// SystemContext returns a context acting as the system principal, for
// administrative programs (CLI commands, provisioning, background jobs).
func SystemContext(ctx context.Context) context.Context {
	return spots.WithPrincipal(ctx, spots.SystemPrincipal())
}

// Code classifies errors; see ErrorCode.
type Code = errcode.Code

// ErrorCode returns the shared code of err: "invalid", "unauthenticated",
// "forbidden", "not_found", "conflict", "failed_precondition", "gone",
// "unavailable" or "internal". It returns "" for nil.
func ErrorCode(err error) Code { return errcode.Of(err) }

// libraryMetrics are the operators' numbers beside the HTTP ones, in the
// Library's own registry (served by Handler at /metrics).
type libraryMetrics struct {
	reg         *metrics.Registry
	sweeps      *metrics.CounterVec // result: ok, error
	transitions *metrics.Counter
	notices     *metrics.CounterVec // state: recorded, sent, failed
	beacons     *metrics.Counter
}

// scrapeTimeout bounds what a gauge may read from the store during a
// scrape.
const scrapeTimeout = 2 * time.Second

func newLibraryMetrics(l *Library) libraryMetrics {
	reg := metrics.New()
	m := libraryMetrics{
		reg: reg,
		sweeps: reg.Counter("briefcase_governance_sweeps_total",
			"Governance sweeps run by Library.Run, by result.", "result"),
		transitions: reg.Counter("briefcase_governance_transitions_total",
			"Lifecycle status or visibility changes made by Library.Run's governance sweeps.").With(),
		notices: reg.Counter("briefcase_governance_notices_total",
			"Governance notices recorded, sent and failed (to be retried) by Library.Run's sweeps.", "state"),
		beacons: reg.Counter("briefcase_share_beacons_total",
			"Buyers' engagement beacons accepted (stored; duplicates and refusals not counted).").With(),
	}
	for _, r := range []string{"ok", "error"} {
		m.sweeps.With(r)
	}
	for _, s := range []string{"recorded", "sent", "failed"} {
		m.notices.With(s)
	}
	reg.GaugeFunc("briefcase_search_index_lag",
		"Changes in the store's change feed not yet applied to the search index (NaN when either cannot be read).",
		func() float64 {
			ctx, cancel := context.WithTimeout(SystemContext(context.Background()), scrapeTimeout)
			defer cancel()
			last, err := l.cfg.Store.LastChangeSeq(ctx)
			if err != nil {
				return math.NaN()
			}
			applied, err := l.cfg.Indexer.AppliedSeq(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64(max(last-applied, 0))
		})
	if l.Analytics != nil {
		reg.CounterFunc("briefcase_analytics_events_dropped_total",
			"Analytics events dropped because the recording buffer was full or the store refused a batch.",
			func() float64 { return float64(l.Analytics.Dropped()) })
	}
	return m
}

// requestLog is the request logger Config asks for, or nil.
func requestLog(cfg Config) *slog.Logger {
	if !cfg.LogRequests {
		return nil
	}
	return cfg.Logger
}
