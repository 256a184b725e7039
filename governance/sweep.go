package governance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/briefcasehq/briefcase/audit"
	"github.com/briefcasehq/briefcase/items"
	"github.com/briefcasehq/briefcase/spots"
)

// SweepResult counts what a sweep did.
type SweepResult struct {
	// Examined counts the items the sweep looked at (those due).
	Examined int `json:"examined"`
	// Transitions counts status or visibility changes.
	Transitions int `json:"transitions"`
	// Recorded counts new notices.
	Recorded int `json:"notices_recorded"`
	// Sent counts notices delivered, in Messages messages; Failed counts
	// notices whose delivery failed (they are retried later).
	Sent     int `json:"notices_sent"`
	Messages int `json:"messages_sent"`
	Failed   int `json:"notices_failed"`
}

// Sweep moves due items through the lifecycle, records the notices this
// causes, and delivers every pending notice (Advance, then Deliver). Only
// admins and the system principal may sweep; Library.Run sweeps every
// minute and `briefcase sweep` once. Running it again at the same time
// changes and sends nothing more.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	res, err := s.Advance(ctx, now)
	if errors.Is(err, ErrForbidden) {
		return res, err
	}
	d, derr := s.Deliver(ctx, now)
	res.Sent, res.Messages, res.Failed = d.Sent, d.Messages, d.Failed
	err = errors.Join(err, derr)
	if s.opt.OnSweep != nil {
		s.opt.OnSweep(ctx, res, err)
	}
	return res, err
}

// Advance is the first half of Sweep: for every item whose SweepAt has come
// it applies the lifecycle its dates and its spot's policy give it (audited)
// and records the notices owed, in one transaction per batch, then sets the
// item's next SweepAt. It also records the user training notices. It sends
// nothing.
func (s *Service) Advance(ctx context.Context, now time.Time) (SweepResult, error) {
	actor, err := requireAdmin(ctx, "run the governance sweep")
	if err != nil {
		return SweepResult{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	sw := &sweep{s: s, now: now, actor: actor.ID, spots: map[string]*spotInfo{}}
	var res SweepResult
	seen := map[string]bool{}
	// Writes after this point (to items, or to spots: a new policy) are
	// caught in each batch's transaction, so cached policies and items read
	// later are never applied stale.
	if s.opt.LastChange != nil {
		if sw.feedSeq, err = s.opt.LastChange(ctx); err != nil {
			return res, fmt.Errorf("governance: change feed: %w", err)
		}
	}
	sw.written, sw.moved = map[string]bool{}, map[string]bool{}
	for {
		// Grants change without a trace in the change feed: who owns a
		// spot is read afresh for each batch.
		sw.spots = map[string]*spotInfo{}
		due, err := s.st.DueItems(ctx, now, s.opt.BatchSize)
		if err != nil {
			return res, fmt.Errorf("governance: due items: %w", err)
		}
		batch := due[:0:0]
		for _, it := range due {
			if !seen[it.ID] {
				seen[it.ID] = true
				batch = append(batch, it)
			}
		}
		if len(batch) == 0 {
			break
		}
		n, err := sw.batch(ctx, batch)
		res.Examined += len(batch)
		res.Transitions += n.Transitions
		res.Recorded += n.Recorded
		if err != nil {
			return res, err
		}
		if len(due) < s.opt.BatchSize {
			break
		}
	}
	n, err := sw.trainings(ctx)
	res.Recorded += n
	return res, err
}

// sweep is one Advance's state: caches of spots and principals.
type sweep struct {
	s     *Service
	now   time.Time
	actor string
	spots map[string]*spotInfo
	// people maps principal IDs to principals; loaded once when needed.
	people map[string]spots.Principal
	groups map[string][]string
	// feedSeq is how far the change feed has been read; written and moved
	// are the items written and the spots changed since the sweep began.
	feedSeq        int64
	written, moved map[string]bool
	// sharers maps items in live shares to their sellers; loaded once
	// when needed.
	sharers map[string][]string
}

// spotInfo is what a sweep knows of a spot.
type spotInfo struct {
	spot   spots.Spot
	policy Policy
	// owners are the principals whose effective role is owner or coowner:
	// they get the spot's digest.
	owners []string
	grants []spots.Grant
	err    error
}

// plan is what a sweep does with one item.
type plan struct {
	before, after items.Item
	notices       []Notice
}

// batch handles one batch of due items.
func (sw *sweep) batch(ctx context.Context, batch []items.Item) (SweepResult, error) {
	var res SweepResult
	plans := make([]plan, 0, len(batch))
	later := map[string]time.Time{}
	for _, it := range batch {
		info, err := sw.spot(ctx, it.SpotID)
		if err != nil {
			return res, err
		}
		if info.err != nil {
			// A spot whose policy no longer parses: look at its items again
			// in an hour rather than guess, and let the rest of the library
			// be swept.
			sw.s.opt.Logger.ErrorContext(ctx, "governance: skipping items of a spot", "spot", it.SpotID, "err", info.err)
			later[it.ID] = sw.now.Add(time.Hour)
			continue
		}
		pl := plan{before: it, after: it.Clone()}
		info.policy.derive(&pl.after, sw.now)
		pl.after.SweepAt = info.policy.nextSweep(pl.after, sw.now)
		if pl.notices, err = sw.notices(ctx, info, pl.after); err != nil {
			return res, err
		}
		plans = append(plans, pl)
	}
	written, moved, feedSeq := sw.written, sw.moved, sw.feedSeq
	err := sw.s.atomic(ctx, func(tx Stores) error {
		res.Transitions = 0
		written, moved, feedSeq = sw.written, sw.moved, sw.feedSeq
		if sw.s.opt.Changes != nil {
			// Read the feed on from where the last batch stopped; a batch
			// that fails reads the same part again.
			w, m, last, err := sw.s.opt.Changes(ctx, tx, sw.feedSeq)
			if err != nil {
				return fmt.Errorf("change feed: %w", err)
			}
			written, moved, feedSeq = union(sw.written, w), union(sw.moved, m), last
		}
		next := make(map[string]time.Time, len(plans)+len(later))
		for id, t := range later {
			if !written[id] {
				next[id] = t
			}
		}
		var notices []Notice
		for _, pl := range plans {
			if written[pl.before.ID] || moved[pl.before.SpotID] {
				// Written, or its spot's policy changed, since the sweep
				// began: the plan may be stale. It stays due for the next.
				continue
			}
			changed := pl.after.Status != pl.before.Status || pl.after.Hidden != pl.before.Hidden
			if !changed {
				next[pl.before.ID] = pl.after.SweepAt
				notices = append(notices, pl.notices...)
				continue
			}
			// Unwritten since it was read (the change feed says so), the
			// item as read is the item as stored. Without a change feed,
			// read it again and leave it if it was written.
			cur := pl.before
			if sw.s.opt.Changes == nil {
				var err error
				if cur, err = tx.GetItem(ctx, pl.before.ID); errors.Is(err, items.ErrNotFound) {
					continue
				} else if err != nil {
					return err
				}
				if !cur.UpdatedAt.Equal(pl.before.UpdatedAt) || cur.Status != pl.before.Status || cur.Hidden != pl.before.Hidden {
					continue
				}
			}
			after := cur.Clone()
			after.Status, after.Hidden, after.SweepAt = pl.after.Status, pl.after.Hidden, pl.after.SweepAt
			if err := tx.UpdateItem(ctx, after); err != nil {
				return err
			}
			for _, e := range sw.transitionEntries(cur, after) {
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			res.Transitions++
			notices = append(notices, pl.notices...)
		}
		if err := tx.SetSweepAt(ctx, next); err != nil {
			return err
		}
		added, err := tx.AddNotices(ctx, notices)
		res.Recorded = len(added)
		return err
	})
	if err != nil {
		return SweepResult{}, fmt.Errorf("governance: sweep: %w", err)
	}
	sw.written, sw.moved, sw.feedSeq = written, moved, feedSeq
	return res, nil
}

// transitionEntries audits a lifecycle move, one entry per step (an item
// archived on expiry goes through expired).
func (sw *sweep) transitionEntries(before, after items.Item) []audit.Entry {
	steps := []items.Status{after.Status}
	if after.Status == items.StatusArchived && before.Status != items.StatusExpired {
		steps = []items.Status{items.StatusExpired, items.StatusArchived}
	}
	var out []audit.Entry
	from := before
	for i, st := range steps {
		to := from
		to.Status = st
		if i == len(steps)-1 {
			to.Hidden = after.Hidden
		}
		out = append(out, audit.Entry{At: sw.now, Actor: sw.actor, Action: "item.lifecycle", TargetKind: "item",
			TargetID: before.ID, SpotID: before.SpotID, Reason: reason(before, st, sw.now),
			Before: audit.JSON(lifecycleState{from.Status, from.Hidden}), After: audit.JSON(lifecycleState{to.Status, to.Hidden})})
		from = to
	}
	return out
}

type lifecycleState struct {
	Status items.Status `json:"status"`
	Hidden bool         `json:"hidden"`
}

func reason(it items.Item, to items.Status, now time.Time) string {
	switch to {
	case items.StatusPublished:
		if it.AvailableAt.IsZero() || it.AvailableAt.After(now) {
			return "governance sweep"
		}
		return "available since " + it.AvailableAt.Format(time.RFC3339)
	case items.StatusScheduled:
		return "available from " + it.AvailableAt.Format(time.RFC3339)
	case items.StatusExpiring:
		return "expires " + it.ExpiresAt.Format(time.RFC3339)
	case items.StatusExpired:
		return "expired " + it.ExpiresAt.Format(time.RFC3339)
	case items.StatusArchived:
		return "archived on expiry by the spot's policy"
	}
	return "governance sweep"
}

// spot returns (and caches) what the sweep needs of a spot.
func (sw *sweep) spot(ctx context.Context, id string) (*spotInfo, error) {
	if info, ok := sw.spots[id]; ok {
		return info, nil
	}
	spot, err := sw.s.st.GetSpot(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("governance: spot %s: %w", id, err)
	}
	info := &spotInfo{spot: spot}
	if info.grants, err = sw.s.st.ListGrants(ctx, spot.ID); err != nil {
		return nil, fmt.Errorf("governance: grants of %s: %w", spot.ID, err)
	}
	if info.policy, info.err = PolicyOf(spot); info.err == nil {
		info.owners, err = sw.owners(ctx, spot, info.grants)
		if err != nil {
			return nil, err
		}
	}
	sw.spots[id] = info
	return info, nil
}

// owners returns the principals whose effective role on spot is owner or
// coowner (training caps included), sorted.
func (sw *sweep) owners(ctx context.Context, spot spots.Spot, grants []spots.Grant) ([]string, error) {
	if spot.Personal() {
		return []string{spot.OwnerID}, nil
	}
	var out []string
	for _, g := range grants {
		if !g.Role.AtLeast(spots.Coowner) {
			continue
		}
		ids, err := sw.members(ctx, g.Subject)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			p := sw.people[id]
			if d := spots.Evaluate(p, spot, grants, spots.ActionDelete); d.Allowed && !d.Override {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// members returns the stored principals a subject names.
func (sw *sweep) members(ctx context.Context, sub spots.Subject) ([]string, error) {
	if err := sw.loadPeople(ctx); err != nil {
		return nil, err
	}
	if sub.Kind == spots.SubjectGroup {
		return sw.groups[sub.ID], nil
	}
	if _, ok := sw.people[sub.ID]; ok {
		return []string{sub.ID}, nil
	}
	return nil, nil
}

// loadPeople reads every principal once per sweep.
func (sw *sweep) loadPeople(ctx context.Context) error {
	if sw.people != nil {
		return nil
	}
	sw.people, sw.groups = map[string]spots.Principal{}, map[string][]string{}
	f := spots.PrincipalFilter{Limit: 1000}
	for {
		ps, err := sw.s.st.ListPrincipals(ctx, f)
		if err != nil {
			sw.people = nil
			return fmt.Errorf("governance: principals: %w", err)
		}
		for _, p := range ps {
			sw.people[p.ID] = p
			for _, g := range p.Groups {
				sw.groups[g] = append(sw.groups[g], p.ID)
			}
		}
		if len(ps) < f.Limit {
			return nil
		}
		f.AfterID = ps[len(ps)-1].ID
	}
}

// personal returns the item's owners (groups expanded) and its creator.
func (sw *sweep) personal(ctx context.Context, it items.Item) ([]string, error) {
	var out []string
	for _, o := range it.Owners {
		ids, err := sw.members(ctx, o)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	if ids, err := sw.members(ctx, spots.User(it.CreatedBy)); err != nil {
		return nil, err
	} else {
		out = append(out, ids...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// notices returns the notices owed for an item in the state after the
// sweep. Each recipient gets one notice per (item, deadline, window): spot
// owners in their digest, the item's owners and creator personally, and,
// before an expiry, the sellers with live shares of the item (at expiry
// the share impact watcher tells them, and their shares show it).
func (sw *sweep) notices(ctx context.Context, info *spotInfo, it items.Item) ([]Notice, error) {
	p := info.policy
	var out []Notice
	got := map[string]bool{} // recipient → already told in this group
	if err := sw.loadPeople(ctx); err != nil {
		return nil, err
	}
	add := func(group string, kind NoticeKind, deadline time.Time, w int, to, digest, detail string) {
		if to == "" || got[group+"\x00"+to] {
			return
		}
		// Owners' digests go to those who own the spot; anyone else is told
		// only about what they may see: an item in review to reviewers who
		// may see its spot, anything else to those who may view the item.
		if digest == "" && ((group == "review" && !sw.maySeeSpot(info, to)) || (group != "review" && !sw.mayView(info, it, to))) {
			return
		}
		got[group+"\x00"+to] = true
		out = append(out, Notice{
			ID: sw.s.opt.NewID(), Key: noticeKey(deadline, w, group, it.ID, to),
			Recipient: to, Digest: digest, Kind: kind, ItemID: it.ID, SpotID: it.SpotID, Title: it.Title,
			Window: w, Due: deadline, Detail: detail, CreatedAt: sw.now,
		})
	}
	switch it.Status {
	case items.StatusDraft:
		return nil, nil
	case items.StatusInReview:
		for _, o := range info.owners {
			add("review", NoticeReview, it.SubmittedAt, -1, o, info.spot.ID, "")
		}
		for _, r := range p.Reviewers {
			ids, err := sw.members(ctx, spots.User(r))
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				add("review", NoticeReview, it.SubmittedAt, -1, id, "", "")
			}
		}
		return out, nil
	}
	personal, err := sw.personal(ctx, it)
	if err != nil {
		return nil, err
	}
	if w, ok := p.window(it.ExpiresAt, sw.now); ok && (w > 0 || !sw.now.Before(it.ExpiresAt)) {
		kind := NoticeExpiring
		switch {
		case w == 0 && it.Status == items.StatusArchived:
			kind = NoticeArchived
		case w == 0:
			kind = NoticeExpired
		}
		for _, o := range info.owners {
			add("expiry", kind, it.ExpiresAt, w, o, info.spot.ID, "")
		}
		for _, o := range personal {
			add("expiry", kind, it.ExpiresAt, w, o, "", "")
		}
		if w > 0 && sw.s.opt.Sharers != nil && it.Audience == items.External {
			if sw.sharers == nil {
				if sw.sharers, err = sw.s.opt.Sharers(ctx, sw.now); err != nil {
					return nil, fmt.Errorf("governance: sharers: %w", err)
				}
				if sw.sharers == nil {
					sw.sharers = map[string][]string{}
				}
			}
			for _, o := range sw.sharers[it.ID] {
				add("expiry", NoticeShareExpiring, it.ExpiresAt, w, o, "", "")
			}
		}
	}
	verifying := it.Status == items.StatusPublished || it.Status == items.StatusExpiring || it.Status == items.StatusScheduled
	if w, ok := p.window(it.VerifyBy, sw.now); verifying && p.VerifyIntervalDays > 0 && ok && (w > 0 || !sw.now.Before(it.VerifyBy)) {
		kind := NoticeVerifyDue
		if w == 0 {
			kind = NoticeVerifyOverdue
		}
		verifiers := personal
		if it.FeedbackOwner != "" {
			verifiers = []string{it.FeedbackOwner}
		}
		if w == 0 {
			for _, o := range info.owners {
				add("verify", kind, it.VerifyBy, w, o, info.spot.ID, "")
			}
		}
		for _, o := range verifiers {
			add("verify", kind, it.VerifyBy, w, o, "", "")
		}
	}
	return out, nil
}

// trainings records the notices about the basic user training: to each
// user who has not completed it, inside the windows before their deadline
// (provisioning plus Options.UserTrainingDeadline), and once overdue, to
// the administrators too.
func (sw *sweep) trainings(ctx context.Context) (int, error) {
	o := sw.s.opt
	if o.UserTrainingDeadline <= 0 {
		return 0, nil
	}
	if err := sw.loadPeople(ctx); err != nil {
		return 0, err
	}
	var admins []string
	for id, p := range sw.people {
		if p.HasRole(spots.Admin) {
			admins = append(admins, id)
		}
	}
	slices.Sort(admins)
	windows := DefaultPolicy()
	var ns []Notice
	ids := make([]string, 0, len(sw.people))
	for id := range sw.people {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := sw.people[id]
		if p.HasTraining(o.UserTraining) {
			continue
		}
		deadline := p.CreatedAt.Add(o.UserTrainingDeadline)
		w, ok := windows.window(deadline, sw.now)
		if !ok {
			continue
		}
		kind := NoticeTrainingDue
		if w == 0 {
			kind = NoticeTrainingOverdue
		}
		name := p.Name
		if name == "" {
			name = p.ID
		}
		add := func(to, digest string) {
			ns = append(ns, Notice{ID: o.NewID(), Key: noticeKey(deadline, w, "training", id, to),
				Recipient: to, Digest: digest, Kind: kind, SubjectID: id, Title: name, Window: w, Due: deadline,
				Detail: o.UserTraining, CreatedAt: sw.now})
		}
		add(id, "")
		if w == 0 {
			for _, a := range admins {
				if a != id {
					add(a, "admin")
				}
			}
		}
	}
	if len(ns) == 0 {
		return 0, nil
	}
	added, err := sw.s.st.AddNotices(ctx, ns)
	if err != nil {
		return 0, fmt.Errorf("governance: training notices: %w", err)
	}
	return len(added), nil
}

// mayView reports whether principal id may view the item (as the sweep
// sees it) through its home spot: nobody is told about content they may
// not see. Admins may, as they may view it.
func (sw *sweep) mayView(info *spotInfo, it items.Item, id string) bool {
	p, ok := sw.people[id]
	if !ok {
		return false
	}
	d := spots.Evaluate(p, info.spot, info.grants, spots.ActionView)
	return items.Evaluate(p, it, d).Allowed
}

// maySeeSpot reports whether principal id may view the spot itself.
func (sw *sweep) maySeeSpot(info *spotInfo, id string) bool {
	p, ok := sw.people[id]
	return ok && spots.Evaluate(p, info.spot, info.grants, spots.ActionView).Allowed
}

// noticeKey is a notice's de-duplication key: one per (deadline, window,
// kind of deadline, subject, recipient). It starts with the moment the
// window opened (fixed width, so keys sort by it), which is about when the
// notice is recorded: new keys land at the end of the store's key index
// instead of all over it.
func noticeKey(deadline time.Time, w int, group, subject, to string) string {
	opened := deadline
	if w > 0 {
		opened = deadline.Add(-days(w))
	}
	return fmt.Sprintf("%016x:%s:%s:%d:%s", opened.UnixMicro(), group, subject, w, to)
}

// union returns a copy of a with b's keys added.
func union(a, b map[string]bool) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
