package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"mutual/moderation/escalation"
)

// escWebhookClient sends webhook deliveries; a short timeout keeps one slow
// receiver from holding the worker.
var escWebhookClient = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse // a receiver must answer at its URL, not bounce us elsewhere
}}

// RunEscalationWebhooks delivers due webhook calls from the outbox while this
// instance holds the "escalation-webhooks" job, so each is sent by one
// instance at a time. It reports how many it attempted.
func (a *App) RunEscalationWebhooks(ctx context.Context) int {
	const name = "escalation-webhooks"
	ok, err := a.jobs.claim(ctx, name)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			a.log.Error("webhooks: claim", "err", err)
		}
		return 0
	}
	sent := 0
	var runErr error
	for ctx.Err() == nil {
		due, err := a.escalations.DueWebhooks(ctx, 50)
		if err != nil {
			runErr = err
			break
		}
		for _, d := range due {
			a.escDeliver(ctx, d)
			sent++
		}
		if len(due) < 50 {
			break
		}
		if held, err := a.jobs.renew(ctx, name); err != nil || !held {
			break
		}
	}
	if runErr != nil && ctx.Err() == nil {
		a.log.Error("webhooks", "err", runErr)
	}
	// Due again on the next worker tick; the interval throttles it.
	if err := a.jobs.finish(ctx, name, a.cfg.Now(), runErr); err != nil && ctx.Err() == nil {
		a.log.Error("webhooks: finish", "err", err)
	}
	return sent
}

// escDeliver POSTs one payload, signed, and records the outcome.
func (a *App) escDeliver(ctx context.Context, d escalation.Delivery) {
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
			req.Header.Set("X-Mutual-Event", "escalation."+d.Event)
			req.Header.Set("X-Mutual-Delivery", strconv.FormatInt(d.ID, 10))
			req.Header.Set("X-Mutual-Signature", escalation.Sign(d.Secret, body))
			res, err := escWebhookClient.Do(req)
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
	if err := a.escalations.RecordAttempt(ctx, d, status, msg, time.Since(start)); err != nil && ctx.Err() == nil {
		a.log.Error("webhooks: record attempt", "id", d.ID, "err", err)
	}
}
