package escalationweb

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"mutual/escalation"
)

// webhookClient sends webhook deliveries; a short timeout keeps one slow
// receiver from holding the worker.
var webhookClient = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse // a receiver must answer at its URL, not bounce us elsewhere
}}

// RunWebhooks delivers due webhook calls from the outbox while this
// instance holds the "escalation-webhooks" job, so each is sent by one
// instance at a time. It reports how many it attempted.
func (h *Handlers) RunWebhooks(ctx context.Context) int {
	const name = "escalation-webhooks"
	ok, err := h.jobs.Claim(ctx, name)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			h.log.Error("webhooks: claim", "err", err)
		}
		return 0
	}
	sent := 0
	var runErr error
	for ctx.Err() == nil {
		due, err := h.escalations.DueWebhooks(ctx, 50)
		if err != nil {
			runErr = err
			break
		}
		for _, d := range due {
			h.deliver(ctx, d)
			sent++
		}
		if len(due) < 50 {
			break
		}
		if held, err := h.jobs.Renew(ctx, name); err != nil || !held {
			break
		}
	}
	if runErr != nil && ctx.Err() == nil {
		h.log.Error("webhooks", "err", runErr)
	}
	// Due again on the next worker tick; the interval throttles it.
	if err := h.jobs.Finish(ctx, name, h.now(), runErr); err != nil && ctx.Err() == nil {
		h.log.Error("webhooks: finish", "err", err)
	}
	return sent
}

// deliver POSTs one payload, signed, and records the outcome.
func (h *Handlers) deliver(ctx context.Context, d escalation.Delivery) {
	start := time.Now()
	status, msg := 0, ""
	if d.URL == "" {
		msg = "the brand has no webhook URL any more"
	} else {
		body := []byte(d.Payload)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
		if err != nil {
			msg = err.Error()
		} else {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("User-Agent", "Mutual-Webhook/1")
			event := "escalation." + d.Event
			if d.IncidentID != 0 {
				event = d.Event // already "incident.raised" and so on
			}
			req.Header.Set("X-Mutual-Event", event)
			req.Header.Set("X-Mutual-Delivery", strconv.FormatInt(d.ID, 10))
			req.Header.Set("X-Mutual-Signature", escalation.Sign(d.Secret, body))
			res, err := webhookClient.Do(req)
			if err != nil {
				msg = err.Error()
			} else {
				status = res.StatusCode
				_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
				res.Body.Close()
				if status < 200 || status > 299 {
					msg = fmt.Sprintf("receiver answered %s", res.Status)
				}
			}
		}
	}
	if err := h.escalations.RecordAttempt(ctx, d, status, msg, time.Since(start)); err != nil && ctx.Err() == nil {
		h.log.Error("webhooks: record attempt", "id", d.ID, "err", err)
	}
}
