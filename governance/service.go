package governance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/errcode"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// Message is one delivery: the notices of one recipient (or one spot's
// digest for one owner) gathered into a message. The root package hands
// it to the configured Notifier.
type Message struct {
	// To is the recipient's principal ID.
	To      string
	Subject string
	Body    string
	// Kind is "governance.digest" (a spot's owners' digest),
	// "governance.admin_digest", or "governance.notices".
	Kind string
	// Key is stable for the same set of notices, so a receiver can drop
	// a repeat.
	Key string
	// Notices are what the message tells.
	Notices []Notice
}

// Options configure a Service. Zero fields take defaults.
type Options struct {
	Now    func() time.Time
	NewID  func() string
	Logger *slog.Logger
	// Send delivers a message; without it notices are recorded and
	// marked sent without going anywhere (the log shows them).
	Send func(ctx context.Context, m Message) error
	// Sharers returns, for every item in a live share at now, the
	// principals (owners and contributors) with live shares of it, who are
	// told before it expires. A sweep calls it at most once, and only when
	// an external item enters a notice window.
	Sharers func(ctx context.Context, now time.Time) (map[string][]string, error)
	// Views returns the all-time views of items, for the compliance
	// report's never-viewed list; without it that list is left out.
	Views func(ctx context.Context, itemIDs []string) (map[string]int64, error)
	// UserTraining names the basic training every user must complete
	// within UserTrainingDeadline of being provisioned ("user" by
	// default); a zero deadline turns those notices off.
	UserTraining         string
	UserTrainingDeadline time.Duration
	// MaxAttempts caps the deliveries of a notice; 8 by default. Backoff
	// between attempts starts at one minute and doubles, up to six hours.
	MaxAttempts int
	// SendTimeout bounds one delivery; 10 seconds by default.
	SendTimeout time.Duration
	// SendConcurrency is how many deliveries run at once; 4 by default.
	SendConcurrency int
	// DeliverBudget bounds one Deliver: no send starts after it; 30
	// seconds by default.
	DeliverBudget time.Duration
	// LastChange and Changes read the store's change feed: a sweep notes
	// the last change before it reads a batch, and inside the batch's
	// transaction skips the items written, and the items of the spots
	// changed (a new policy), since then; they stay due for the next
	// sweep. The Library sets both; without them a write racing a sweep
	// may be judged on what the sweep read.
	LastChange func(ctx context.Context) (int64, error)
	// Changes returns the items and spots changed after afterSeq, and the
	// last sequence it read (afterSeq when there is nothing new).
	Changes func(ctx context.Context, tx Stores, afterSeq int64) (itemIDs, spotIDs map[string]bool, last int64, err error)
	// OnSweep is told what every Sweep did (metrics), whoever ran it.
	OnSweep func(ctx context.Context, res SweepResult, err error)
	// BatchSize is how many items a sweep handles per transaction; 2000 by
	// default.
	BatchSize int
}

// Service holds the governance rules: policies, the lifecycle, the sweep,
// approvals, reports and the audit log's reader. It is safe for concurrent
// use.
type Service struct {
	st     Stores
	atomic AtomicFunc
	spots  *spots.Service
	opt    Options
}

// NewService returns a Service.
func NewService(st Stores, atomic AtomicFunc, sp *spots.Service, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = spots.NewID
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.UserTraining == "" {
		opt.UserTraining = "user"
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.SendTimeout <= 0 {
		opt.SendTimeout = 10 * time.Second
	}
	if opt.SendConcurrency <= 0 {
		opt.SendConcurrency = 4
	}
	if opt.DeliverBudget <= 0 {
		opt.DeliverBudget = 30 * time.Second
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 2000
	}
	return &Service{st: st, atomic: atomic, spots: sp, opt: opt}
}

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// Rules returns the rules of items homed in spotID; the items service
// calls it (items.Governor) before every create, update and verification.
func (s *Service) Rules(ctx context.Context, spotID string) (items.Rules, error) {
	spot, err := s.st.GetSpot(ctx, spotID)
	if err != nil {
		return nil, fmt.Errorf("governance: rules of %s: %w", spotID, err)
	}
	p, err := PolicyOf(spot)
	if err != nil {
		return nil, err
	}
	return rules{p}, nil
}

// Policy returns the policy of a spot the caller may view.
func (s *Service) Policy(ctx context.Context, spotID string) (Policy, error) {
	spot, err := s.spots.Get(ctx, spotID)
	if err != nil {
		return Policy{}, err
	}
	return PolicyOf(spot)
}

// PolicyChange is what setting a policy does, or would do (DryRun).
type PolicyChange struct {
	SpotID string `json:"spot_id"`
	Policy Policy `json:"policy"`
	DryRun bool   `json:"dry_run"`
	// Items counts the items homed in the spot.
	Items int `json:"items"`
	// Violations are the live items (not drafts or archived) that lack a
	// property the policy requires; they stay as they are (a policy never
	// edits content) and must comply when next published or edited on
	// those properties. The list holds at most 1,000; ViolationCount
	// counts them all.
	Violations     []Violation `json:"violations"`
	ViolationCount int         `json:"violation_count"`
	// Changes are the state changes the policy causes at once (expiry
	// modes, notice windows); the next sweep applies them. At most 1,000
	// listed; ChangeCount counts them all.
	Changes     []StateChange `json:"changes"`
	ChangeCount int           `json:"change_count"`
}

// Violation is an item breaking a policy.
type Violation struct {
	ItemID string            `json:"item_id"`
	Title  string            `json:"title"`
	Status items.Status      `json:"status"`
	Fields map[string]string `json:"fields"`
}

// StateChange is a lifecycle move of one item.
type StateChange struct {
	ItemID string       `json:"item_id"`
	Title  string       `json:"title"`
	From   items.Status `json:"from"`
	To     items.Status `json:"to"`
	// Hidden is whether the item is hidden after the change.
	Hidden bool `json:"hidden"`
}

const maxListed = 1000

// SetPolicy validates a policy for a spot and, unless dryRun, stores it
// (audited, with the policy before and after) and schedules the spot's
// items for the next sweep, which applies the state changes. Owners and
// co-owners of the spot may (admins through an audited override); personal
// spots always follow the default policy. With dryRun nothing changes: the
// answer lists the items that would violate the policy and the state
// changes it would cause now.
func (s *Service) SetPolicy(ctx context.Context, spotID string, p Policy, dryRun bool) (PolicyChange, error) {
	actor, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return PolicyChange{}, err
	}
	spot, _, err := s.spots.Check(ctx, spotID, spots.ActionView)
	if err != nil {
		return PolicyChange{}, err
	}
	if spot.Personal() {
		return PolicyChange{}, fmt.Errorf("%w: personal spots follow the default policy", ErrPrecondition)
	}
	_, d, err := s.spots.Check(ctx, spotID, spots.ActionDelete)
	if err != nil {
		if errors.Is(err, spots.ErrForbidden) {
			return PolicyChange{}, fmt.Errorf("%w: only the spot's owners and co-owners set its policy", ErrForbidden)
		}
		return PolicyChange{}, err
	}
	if p, err = p.Normalize(); err != nil {
		return PolicyChange{}, err
	}
	if err := s.checkReviewers(ctx, spot, p.Reviewers); err != nil {
		return PolicyChange{}, err
	}
	if dryRun {
		if err := s.spots.RecordOverride(ctx, spotID, d); err != nil {
			return PolicyChange{}, err
		}
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return PolicyChange{}, fmt.Errorf("governance: policy: %w", err)
	}
	now := s.now()
	ch := PolicyChange{SpotID: spotID, Policy: p, DryRun: dryRun, Violations: []Violation{}, Changes: []StateChange{}}
	err = s.homeItems(ctx, spotID, func(it items.Item) {
		ch.Items++
		if live(it) {
			if f := p.Violations(it, now); len(f) > 0 {
				ch.ViolationCount++
				if len(ch.Violations) < maxListed {
					ch.Violations = append(ch.Violations, Violation{ItemID: it.ID, Title: it.Title, Status: it.Status, Fields: f})
				}
			}
		}
		next := it.Clone()
		p.derive(&next, now)
		if next.Status != it.Status || next.Hidden != it.Hidden {
			ch.ChangeCount++
			if len(ch.Changes) < maxListed {
				ch.Changes = append(ch.Changes, StateChange{ItemID: it.ID, Title: it.Title, From: it.Status, To: next.Status, Hidden: next.Hidden})
			}
		}
	})
	if err != nil || dryRun {
		return ch, err
	}
	err = s.atomic(ctx, func(tx Stores) error {
		before, err := tx.GetSpot(ctx, spotID)
		if err != nil {
			return err
		}
		after := before.Clone()
		after.Policy, after.UpdatedAt = doc, now
		if err := tx.UpdateSpot(ctx, after); err != nil {
			return err
		}
		if _, err := tx.ResetSweep(ctx, spotID); err != nil {
			return err
		}
		var old json.RawMessage
		if len(before.Policy) > 0 {
			old = before.Policy
		}
		return tx.AppendAudit(ctx, audit.Entry{At: now, Actor: actor.ID, Action: "spot.policy", TargetKind: "spot",
			TargetID: spotID, SpotID: spotID, Override: d.Override, Before: old, After: doc})
	})
	if err != nil {
		return PolicyChange{}, fmt.Errorf("governance: set policy of %s: %w", spotID, err)
	}
	return ch, nil
}

// live reports whether the policy's required properties apply to it now.
func live(it items.Item) bool {
	switch it.Status {
	case items.StatusDraft, items.StatusArchived:
		return false
	}
	return true
}

// homeItems calls fn for every item homed in spotID, any status, with its
// lists.
func (s *Service) homeItems(ctx context.Context, spotID string, fn func(items.Item)) error {
	f := items.ItemFilter{SpotIDs: []string{spotID}, Limit: 500}
	for {
		batch, err := s.st.ListItems(ctx, f)
		if err != nil {
			return fmt.Errorf("governance: items of %s: %w", spotID, err)
		}
		for _, it := range batch {
			if it.SpotID == spotID {
				fn(it)
			}
		}
		if len(batch) < f.Limit {
			return nil
		}
		f.BeforeID = batch[len(batch)-1].ID
	}
}

// requireAdmin fails unless the caller is an admin or the system.
func requireAdmin(ctx context.Context, what string) (spots.Principal, error) {
	p, err := spots.PrincipalFrom(ctx)
	if err != nil {
		return p, err
	}
	if !p.IsAdmin() {
		return p, fmt.Errorf("%w: only admins %s", ErrForbidden, what)
	}
	return p, nil
}

// invalid is a validation error on one field.
func invalid(field, format string, args ...any) error {
	return errcode.Invalidf(ErrInvalid, field, format, args...)
}

// checkReviewers refuses reviewers who are not users able to view the spot:
// they would be shown items they may not see.
func (s *Service) checkReviewers(ctx context.Context, spot spots.Spot, reviewers []string) error {
	if len(reviewers) == 0 {
		return nil
	}
	grants, err := s.st.ListGrants(ctx, spot.ID)
	if err != nil {
		return fmt.Errorf("governance: grants of %s: %w", spot.ID, err)
	}
	for _, id := range reviewers {
		p, err := s.st.GetPrincipal(ctx, id)
		if errors.Is(err, spots.ErrNotFound) {
			return invalid("reviewers", "unknown user %q", id)
		}
		if err != nil {
			return fmt.Errorf("governance: reviewer %s: %w", id, err)
		}
		if d := spots.Evaluate(p, spot, grants, spots.ActionView); !d.Allowed || d.Override {
			return invalid("reviewers", "%q may not view this spot: grant them a role first", id)
		}
	}
	return nil
}
