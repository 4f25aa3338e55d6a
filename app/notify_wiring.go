package app

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"mutual/forum/notify"
)

// notifyParts is the notification capability's share of the App.
type notifyParts struct {
	store  *notify.Store
	signer *notify.Signer
	mailer *notifyMailer
	limits notifyLimits
}

// notifySetup builds the store, subscribes its hook to every forum change
// and loads the link-signing key.
func (a *App) notifySetup(ctx context.Context) error {
	if err := a.cfg.Notify.validate(); err != nil {
		return err
	}
	st := notify.New(a.db, a.cfg.Now)
	st.Mail = a.cfg.Notify.MailOn()
	signer, err := notify.LoadSigner(ctx, a.db)
	if err != nil {
		return err
	}
	a.nf = &notifyParts{store: st, signer: signer, limits: newNotifyLimits()}
	if st.Mail {
		a.nf.mailer = &notifyMailer{cfg: a.cfg.Notify}
		if ip := net.ParseIP(a.cfg.Notify.SMTPHost); a.cfg.Notify.SMTPTLS == "none" && a.cfg.Notify.SMTPHost != "localhost" && (ip == nil || !ip.IsLoopback()) {
			a.log.Warn("SMTP without TLS to a host that is not on this machine: mail and any password cross the network in clear",
				"smtp_host", a.cfg.Notify.SMTPHost)
		}
	}
	a.forum.Subscribe(st.Hook)
	return nil
}

// Notify exposes the notification store to tests and commands.
func (a *App) Notify() *notify.Store { return a.nf.store }

// notifySiteURL is the base of links in mail for a brand.
func (a *App) notifySiteURL(host string) string {
	return strings.TrimRight(strings.ReplaceAll(a.cfg.Notify.SiteURL, "{host}", host), "/")
}

// notifyJobEvery is how often reminders and digests are looked for.
const notifyJobEvery = 10 * time.Minute

// runNotifyWorkers sends queued mail and runs reminders and digests until ctx
// ends. Mail is claimed row by row with a lease and the periodic jobs through
// the jobs table, so any number of instances can run this at once.
func (a *App) runNotifyWorkers(ctx context.Context) {
	if a.cfg.JobInterval <= 0 {
		return // background jobs are off (--job-interval 0)
	}
	every := a.cfg.Notify.MailInterval
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var lastJobs time.Time
	for {
		var r NotifyRun
		var err error
		// Mail goes every tick; the job leases are asked for once a minute,
		// as reminders and digests are due every notifyJobEvery at most.
		if time.Since(lastJobs) >= time.Minute {
			lastJobs = time.Now()
			err = a.notifyJobs(ctx, &r)
		}
		if err == nil {
			err = a.notifySendDue(ctx, &r)
		}
		if err != nil && ctx.Err() == nil {
			a.log.Error("notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// NotifyRun says what one round of notification work did.
type NotifyRun struct {
	Reminded, Digests, Sent, Skipped, Failed int
}

// RunNotify does one round: reminders and digests when due (once across
// instances), then sends every due mail. Tests call it instead of waiting.
func (a *App) RunNotify(ctx context.Context) (NotifyRun, error) {
	var r NotifyRun
	if err := a.notifyJobs(ctx, &r); err != nil {
		return r, err
	}
	err := a.notifySendDue(ctx, &r)
	return r, err
}

// notifyJobs runs reminders and digests if this instance wins their leases.
func (a *App) notifyJobs(ctx context.Context, r *NotifyRun) error {
	if err := a.notifyJob(ctx, "notify-reminders", func(brandID int64) error {
		n, err := a.nf.store.Remind(ctx, brandID, time.Duration(a.cfg.Notify.ReminderDays)*24*time.Hour, 500)
		r.Reminded += n
		return err
	}); err != nil {
		return err
	}
	return a.notifyJob(ctx, "notify-digests", func(brandID int64) error {
		for {
			n, due, err := a.nf.store.QueueDigests(ctx, brandID, 200)
			r.Digests += n
			if err != nil || due < 200 {
				return err
			}
		}
	})
}

func (a *App) notifyJob(ctx context.Context, name string, perBrand func(brandID int64) error) error {
	ok, err := a.jobs.Claim(ctx, name)
	if err != nil || !ok {
		return err
	}
	brands, err := a.brands.All(ctx)
	if err == nil {
		for _, b := range brands {
			if err = perBrand(b.ID); err != nil {
				break
			}
		}
	}
	if ferr := a.jobs.Finish(ctx, name, a.cfg.Now().Add(notifyJobEvery), err); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// notifySendDue sends due mail in batches over one SMTP connection each.
func (a *App) notifySendDue(ctx context.Context, r *NotifyRun) error {
	if a.nf.mailer == nil {
		return nil
	}
	for ctx.Err() == nil {
		ids, err := a.nf.store.Claim(ctx, 50, 5*time.Minute)
		if err != nil || len(ids) == 0 {
			return err
		}
		var mails []notify.Mail
		var msgs []notify.Message
		for _, id := range ids {
			m, err := a.nf.store.Load(ctx, id)
			if err != nil {
				return err
			}
			if why := m.SkipReason(); why != "" {
				if err := a.nf.store.Skipped(ctx, id, why); err != nil {
					return err
				}
				r.Skipped++
				continue
			}
			mails = append(mails, m)
			msgs = append(msgs, m.Compose(a.notifySiteURL(m.BrandHost), a.nf.signer, a.cfg.Now()))
		}
		if len(msgs) == 0 {
			continue
		}
		for i, res := range a.nf.mailer.send(ctx, msgs) {
			if res == nil {
				if err := a.nf.store.Sent(ctx, mails[i]); err != nil {
					return err
				}
				r.Sent++
				continue
			}
			a.log.Warn("notification mail failed", "outbox_id", mails[i].ID, "attempt", mails[i].Attempts, "retry", res.retry, "err", res.err)
			if err := a.nf.store.Failed(ctx, mails[i], res.err, res.retry); err != nil {
				return fmt.Errorf("app: record mail failure: %w", err)
			}
			r.Failed++
		}
		if r.Failed > 0 {
			return nil // the server is struggling: leave the rest for the next round
		}
	}
	return ctx.Err()
}
