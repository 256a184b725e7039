package notify

import (
	"context"
	"time"
)

// SetWebhookWait replaces how w waits between attempts, so tests see the
// delays without spending them.
func SetWebhookWait(w *Webhook, wait func(ctx context.Context, d time.Duration) error) { w.wait = wait }

// Sleep is how a Webhook waits between attempts by default.
var Sleep = sleep
