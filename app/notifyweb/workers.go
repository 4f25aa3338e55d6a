package notifyweb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/forum/notify"
)

// siteURL is the base of links in mail for a brand.
func (h *Handlers) siteURL(host string) string {
	return strings.TrimRight(strings.ReplaceAll(h.cfg.SiteURL, "{host}", host), "/")
}

// jobEvery is how often reminders and digests are looked for.
const jobEvery = 10 * time.Minute

// RunWorkers sends queued mail and runs reminders and digests until ctx
// ends. Mail is claimed row by row with a lease and the periodic jobs through
// the jobs table, so any number of instances can run this at once.
func (h *Handlers) RunWorkers(ctx context.Context) {
	every := h.cfg.MailInterval
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var lastJobs time.Time
	for {
		var r Run
		var err error
		// Mail goes every tick; the job leases are asked for once a minute,
		// as reminders and digests are due every jobEvery at most.
		if time.Since(lastJobs) >= time.Minute {
			lastJobs = time.Now()
			err = h.periodic(ctx, &r)
		}
		if err == nil {
			err = h.sendDue(ctx, &r)
		}
		if err != nil && ctx.Err() == nil {
			h.log.Error("notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Run says what one round of notification work did.
type Run struct {
	Reminded, Digests, Sent, Skipped, Failed int
}

// RunOnce does one round: reminders and digests when due (once across
// instances), then sends every due mail. Tests call it instead of waiting.
func (h *Handlers) RunOnce(ctx context.Context) (Run, error) {
	var r Run
	if err := h.periodic(ctx, &r); err != nil {
		return r, err
	}
	err := h.sendDue(ctx, &r)
	return r, err
}

// periodic runs reminders and digests if this instance wins their leases.
func (h *Handlers) periodic(ctx context.Context, r *Run) error {
	if err := h.job(ctx, "notify-reminders", func(brandID int64) error {
		n, err := h.store.Remind(ctx, brandID, time.Duration(h.cfg.ReminderDays)*24*time.Hour, 500)
		r.Reminded += n
		return err
	}); err != nil {
		return err
	}
	return h.job(ctx, "notify-digests", func(brandID int64) error {
		for {
			n, due, err := h.store.QueueDigests(ctx, brandID, 200)
			r.Digests += n
			if err != nil || due < 200 {
				return err
			}
		}
	})
}

func (h *Handlers) job(ctx context.Context, name string, perBrand func(brandID int64) error) error {
	ok, err := h.leases.Claim(ctx, name)
	if err != nil || !ok {
		return err
	}
	brands, err := h.brands.All(ctx)
	if err == nil {
		for _, b := range brands {
			if err = perBrand(b.ID); err != nil {
				break
			}
		}
	}
	if ferr := h.leases.Finish(ctx, name, h.now().Add(jobEvery), err); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// sendDue sends due mail in batches over one SMTP connection each.
func (h *Handlers) sendDue(ctx context.Context, r *Run) error {
	if h.mailer == nil {
		return nil
	}
	for ctx.Err() == nil {
		ids, err := h.store.Claim(ctx, 50, 5*time.Minute)
		if err != nil || len(ids) == 0 {
			return err
		}
		var mails []notify.Mail
		var msgs []notify.Message
		for _, id := range ids {
			m, err := h.store.Load(ctx, id)
			if err != nil {
				return err
			}
			if why := m.SkipReason(); why != "" {
				if err := h.store.Skipped(ctx, id, why); err != nil {
					return err
				}
				r.Skipped++
				continue
			}
			mails = append(mails, m)
			msgs = append(msgs, m.Compose(h.siteURL(m.BrandHost), h.signer, h.now()))
		}
		if len(msgs) == 0 {
			continue
		}
		for i, res := range h.mailer.send(ctx, msgs) {
			if res == nil {
				if err := h.store.Sent(ctx, mails[i]); err != nil {
					return err
				}
				r.Sent++
				continue
			}
			h.log.Warn("notification mail failed", "outbox_id", mails[i].ID, "attempt", mails[i].Attempts, "retry", res.retry, "err", res.err)
			if err := h.store.Failed(ctx, mails[i], res.err, res.retry); err != nil {
				return fmt.Errorf("notifyweb: record mail failure: %w", err)
			}
			r.Failed++
		}
		if r.Failed > 0 {
			return nil // the server is struggling: leave the rest for the next round
		}
	}
	return ctx.Err()
}
