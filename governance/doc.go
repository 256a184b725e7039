// Package governance keeps content current and compliant: per-spot
// policies (with dry-run), the lifecycle state machine, the sweeper that
// moves items through it and sends notices, approvals, the compliance
// report and the audit log's reader.
//
// Lifecycle:
//
//	draft → in_review (when the spot requires approval) → scheduled (before
//	AvailableAt) → published → expiring (inside the largest notice window)
//	→ expired → archived
//
// and back to published when an owner sets a new expiry date, re-verifies,
// or restores an archived item. What expired means is the spot's policy:
// flag (visible, marked, never shared), hide (seen only by the home spot's
// editors) or archive. Governance never deletes content.
//
// The sweeper (Service.Sweep) is idempotent and crash-safe: a state change
// and the notices it causes are written in one transaction, a notice is
// unique per (item, deadline, window, recipient), and delivery marks what
// was sent, so a sweep that dies between recording and sending leaves the
// notices for the next one, which sends them once. A notice whose delivery
// failed is retried with backoff. Only a crash between a successful
// delivery and its marking can repeat a message; each message carries a
// stable key (Notification.Key) for receivers that de-duplicate.
package governance
