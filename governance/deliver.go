package governance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// DeliverResult counts one Deliver.
type DeliverResult struct {
	Sent     int `json:"notices_sent"`
	Messages int `json:"messages_sent"`
	Failed   int `json:"notices_failed"`
}

// Deliver sends the pending notices: one message per recipient and digest
// (a spot's owners get one digest per spot, everyone else one message with
// their own notices). Notices are claimed before they are sent (a lease
// until now plus a minute and the send timeout), so sweeps running at the
// same time, in this process or another, never send a notice twice; each
// message is marked sent (or failed) as soon as its send returns, even if
// ctx ends meanwhile. A failed message's notices are retried after a
// backoff (one minute, doubling, up to six hours) until
// Options.MaxAttempts. Each send is bounded by Options.SendTimeout, and no
// new send starts once Options.DeliverBudget has passed: what is left waits
// for the next sweep, so a slow receiver never holds the lifecycle back.
func (s *Service) Deliver(ctx context.Context, now time.Time) (DeliverResult, error) {
	if _, err := requireAdmin(ctx, "deliver governance notices"); err != nil {
		return DeliverResult{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	deadline := time.Now().Add(s.opt.DeliverBudget)
	var res DeliverResult
	var mu sync.Mutex
	var errs []error
	names := map[string]string{}
	const page = 2000
	for time.Now().Before(deadline) && ctx.Err() == nil {
		// Claim at the clock's time, not the sweep's start (an Advance may
		// have taken long), for longer than this delivery can last.
		at := later(now, s.now())
		lease := at.Add(s.opt.DeliverBudget + s.opt.SendTimeout + time.Minute)
		ns, err := s.st.ClaimNotices(ctx, at, lease, s.opt.MaxAttempts, page)
		if err != nil {
			return res, fmt.Errorf("governance: claim notices: %w", err)
		}
		if len(ns) == 0 {
			break
		}
		msgs := s.messages(ctx, ns, names, now)
		sem := make(chan struct{}, s.opt.SendConcurrency)
		var wg sync.WaitGroup
		for _, m := range msgs {
			if !time.Now().Before(deadline) || ctx.Err() != nil {
				break // the rest is claimed until the lease ends, then sent by a later sweep
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				sent, err := s.deliverOne(ctx, m, later(at, s.now()))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				if sent {
					res.Sent += len(m.Notices)
					res.Messages++
				} else {
					res.Failed += len(m.Notices)
				}
			})
		}
		wg.Wait()
		if len(ns) < page {
			break
		}
	}
	return res, errors.Join(errs...)
}

// deliverOne sends one message and records the outcome, whatever happens
// to ctx meanwhile. The error is about recording, not sending.
func (s *Service) deliverOne(ctx context.Context, m Message, now time.Time) (bool, error) {
	ids := make([]string, len(m.Notices))
	attempts := 0
	for i, n := range m.Notices {
		ids[i] = n.ID
		attempts = max(attempts, n.Attempts)
	}
	sendErr := s.send(ctx, m)
	keep := context.WithoutCancel(ctx)
	if sendErr == nil {
		if err := s.st.MarkNoticesSent(keep, ids, now); err != nil {
			return true, fmt.Errorf("governance: mark sent: %w", err)
		}
		return true, nil
	}
	s.opt.Logger.WarnContext(ctx, "governance: delivery failed", "to", m.To, "kind", m.Kind,
		"notices", len(ids), "attempt", attempts+1, "err", sendErr)
	if err := s.st.MarkNoticesFailed(keep, ids, now.Add(backoff(attempts+1)), truncate(sendErr.Error(), 500)); err != nil {
		return false, fmt.Errorf("governance: mark failed: %w", err)
	}
	return false, nil
}

// send delivers one message within the send timeout.
func (s *Service) send(ctx context.Context, m Message) error {
	if s.opt.Send == nil {
		s.opt.Logger.InfoContext(ctx, "governance notice", "to", m.To, "kind", m.Kind, "subject", m.Subject)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.opt.SendTimeout)
	defer cancel()
	return s.opt.Send(ctx, m)
}

// backoff is the wait before delivery attempt n+1.
func backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// messages groups notices (ordered by recipient and digest) into messages.
func (s *Service) messages(ctx context.Context, ns []Notice, names map[string]string, now time.Time) []Message {
	var out []Message
	for start := 0; start < len(ns); {
		end := start + 1
		for end < len(ns) && ns[end].Recipient == ns[start].Recipient && ns[end].Digest == ns[start].Digest {
			end++
		}
		out = append(out, s.message(ctx, ns[start:end], names, now))
		start = end
	}
	return out
}

// kindOrder orders a message's sections, most urgent first.
var kindOrder = []NoticeKind{NoticeExpired, NoticeArchived, NoticeExpiring, NoticeShareExpiring, NoticeVerifyOverdue,
	NoticeVerifyDue, NoticeReview, NoticeRejected, NoticeApproved, NoticeTrainingOverdue, NoticeTrainingDue}

var kindHeading = map[NoticeKind]string{
	NoticeExpired:         "Expired (no longer shared with buyers)",
	NoticeArchived:        "Archived on expiry",
	NoticeExpiring:        "Expiring soon",
	NoticeShareExpiring:   "Expiring soon, in your live shares",
	NoticeVerifyOverdue:   "Verification overdue",
	NoticeVerifyDue:       "Verification due soon",
	NoticeReview:          "Waiting for your approval",
	NoticeRejected:        "Rejected in review",
	NoticeApproved:        "Approved and published",
	NoticeTrainingOverdue: "Training overdue",
	NoticeTrainingDue:     "Training due soon",
}

// message renders one recipient's notices.
func (s *Service) message(ctx context.Context, ns []Notice, names map[string]string, now time.Time) Message {
	m := Message{To: ns[0].Recipient, Notices: slices.Clone(ns), Kind: "governance.notices"}
	h := sha256.New()
	for _, n := range ns {
		h.Write([]byte(n.Key + "\n"))
	}
	m.Key = "governance:" + hex.EncodeToString(h.Sum(nil))[:32]
	var b strings.Builder
	switch d := ns[0].Digest; d {
	case "":
		if len(ns) == 1 {
			m.Subject = "Briefcase: " + one(ns[0], now)
		} else {
			m.Subject = fmt.Sprintf("Briefcase: %d governance notices", len(ns))
		}
	case "admin":
		m.Kind = "governance.admin_digest"
		m.Subject = fmt.Sprintf("Briefcase: %d users overdue on training", len(ns))
	default:
		m.Kind = "governance.digest"
		m.Subject = fmt.Sprintf("Briefcase: governance digest for %s (%d items)", s.spotName(ctx, d, names), len(ns))
	}
	for _, k := range kindOrder {
		first := true
		for _, n := range ns {
			if n.Kind != k {
				continue
			}
			if first {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(kindHeading[k] + ":\n")
				first = false
			}
			b.WriteString("  - " + line(n, now) + "\n")
		}
	}
	m.Body = b.String()
	return m
}

// one is a single notice as a subject line.
func one(n Notice, now time.Time) string {
	switch n.Kind {
	case NoticeExpiring, NoticeShareExpiring:
		return fmt.Sprintf("%q expires %s", n.Title, when(n.Due, now))
	case NoticeExpired:
		return fmt.Sprintf("%q expired", n.Title)
	case NoticeArchived:
		return fmt.Sprintf("%q was archived on expiry", n.Title)
	case NoticeVerifyDue:
		return fmt.Sprintf("please verify %q %s", n.Title, when(n.Due, now))
	case NoticeVerifyOverdue:
		return fmt.Sprintf("verification of %q is overdue", n.Title)
	case NoticeReview:
		return fmt.Sprintf("%q waits for your approval", n.Title)
	case NoticeApproved:
		return fmt.Sprintf("%q was approved", n.Title)
	case NoticeRejected:
		return fmt.Sprintf("%q was rejected", n.Title)
	case NoticeTrainingDue:
		return fmt.Sprintf("complete the %s training %s", n.Detail, when(n.Due, now))
	case NoticeTrainingOverdue:
		return fmt.Sprintf("the %s training is overdue", n.Detail)
	}
	return string(n.Kind)
}

// line is a notice as one line of a message body.
func line(n Notice, now time.Time) string {
	ref := n.ItemID
	if ref == "" {
		ref = n.SubjectID
	}
	s := fmt.Sprintf("%s [%s]", n.Title, ref)
	switch n.Kind {
	case NoticeExpiring, NoticeShareExpiring, NoticeVerifyDue, NoticeTrainingDue:
		s += " due " + n.Due.Format("2006-01-02") + " (" + when(n.Due, now) + ")"
	case NoticeExpired, NoticeArchived, NoticeVerifyOverdue, NoticeTrainingOverdue:
		s += " since " + n.Due.Format("2006-01-02")
	}
	if n.Detail != "" && (n.Kind == NoticeRejected || n.Kind == NoticeApproved) {
		s += ": " + n.Detail
	}
	return s
}

// when says how far a deadline is.
func when(due, now time.Time) string {
	d := int(math.Ceil(due.Sub(now).Hours() / 24))
	switch {
	case !due.After(now):
		return "now"
	case d == 0:
		return "today"
	case d == 1:
		return "in 1 day"
	}
	return fmt.Sprintf("in %d days", d)
}

func (s *Service) spotName(ctx context.Context, id string, names map[string]string) string {
	if n, ok := names[id]; ok {
		return n
	}
	name := id
	if sp, err := s.st.GetSpot(ctx, id); err == nil {
		name = sp.Name
	}
	names[id] = name
	return name
}
