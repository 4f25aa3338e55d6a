package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"mutual/i18n"
)

// Sender sends the mail the outbox holds, and runs the unsolved-question
// reminders and daily digests, so any number of instances can run it at
// once: mail is claimed row by row with a lease, and each periodic job
// through the jobs table.
type Sender struct {
	cfg    Config
	store  *Store
	signer *Signer
	smtp   *smtpMailer // nil while email is off
	brands func(ctx context.Context) ([]int64, error)
	leases Leases
	now    func() time.Time
	log    *slog.Logger

	// Speak, when set, is the Localizer for a language of the brand served
	// on host (its theme may override messages); the default is the shipped
	// catalogues.
	Speak func(host, lang string) *i18n.Localizer
}

// Leases are the jobs table's leases, so that with many instances each
// reminder and digest run happens once.
type Leases struct {
	Claim  func(ctx context.Context, name string) (bool, error)
	Finish func(ctx context.Context, name string, next time.Time, runErr error) error
}

func (w *Sender) speak(host, lang string) *i18n.Localizer {
	if w.Speak != nil {
		return w.Speak(host, lang)
	}
	return i18n.Base().For(lang)
}

// NewSender builds the sender; brands lists the ids of the brands whose
// reminders and digests it runs.
func NewSender(cfg Config, st *Store, signer *Signer, brands func(ctx context.Context) ([]int64, error), leases Leases, now func() time.Time, log *slog.Logger) *Sender {
	w := &Sender{cfg: cfg, store: st, signer: signer, brands: brands, leases: leases, now: now, log: log}
	if cfg.MailOn() {
		w.smtp = &smtpMailer{cfg: cfg}
		if ip := net.ParseIP(cfg.SMTPHost); cfg.SMTPTLS == "none" && cfg.SMTPHost != "localhost" && (ip == nil || !ip.IsLoopback()) {
			log.Warn("SMTP without TLS to a host that is not on this machine: mail and any password cross the network in clear",
				"smtp_host", cfg.SMTPHost)
		}
	}
	return w
}

// siteURL is the base of links in mail for a brand.
func (w *Sender) siteURL(host string) string {
	return strings.TrimRight(strings.ReplaceAll(w.cfg.SiteURL, "{host}", host), "/")
}

// jobEvery is how often reminders and digests are looked for.
const jobEvery = 10 * time.Minute

// Run sends queued mail and runs reminders and digests until ctx
// ends. Mail is claimed row by row with a lease and the periodic jobs through
// the jobs table, so any number of instances can run this at once.
func (w *Sender) Run(ctx context.Context) {
	every := w.cfg.MailInterval
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var lastJobs time.Time
	for {
		var r Round
		var err error
		// Mail goes every tick; the job leases are asked for once a minute,
		// as reminders and digests are due every jobEvery at most.
		if time.Since(lastJobs) >= time.Minute {
			lastJobs = time.Now()
			err = w.periodic(ctx, &r)
		}
		if err == nil {
			err = w.sendDue(ctx, &r)
		}
		if err != nil && ctx.Err() == nil {
			w.log.Error("notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round says what one round of notification work did.
type Round struct {
	Reminded, Digests, Sent, Skipped, Failed int
}

// RunOnce does one round: reminders and digests when due (once across
// instances), then sends every due mail. Tests call it instead of waiting.
func (w *Sender) RunOnce(ctx context.Context) (Round, error) {
	var r Round
	if err := w.periodic(ctx, &r); err != nil {
		return r, err
	}
	err := w.sendDue(ctx, &r)
	return r, err
}

// periodic runs reminders and digests if this instance wins their leases.
func (w *Sender) periodic(ctx context.Context, r *Round) error {
	if err := w.job(ctx, "notify-reminders", func(brandID int64) error {
		n, err := w.store.Remind(ctx, brandID, time.Duration(w.cfg.ReminderDays)*24*time.Hour, 500)
		r.Reminded += n
		return err
	}); err != nil {
		return err
	}
	return w.job(ctx, "notify-digests", func(brandID int64) error {
		for {
			n, due, err := w.store.QueueDigests(ctx, brandID, 200)
			r.Digests += n
			if err != nil || due < 200 {
				return err
			}
		}
	})
}

func (w *Sender) job(ctx context.Context, name string, perBrand func(brandID int64) error) error {
	ok, err := w.leases.Claim(ctx, name)
	if err != nil || !ok {
		return err
	}
	brands, err := w.brands(ctx)
	if err == nil {
		for _, id := range brands {
			if err = perBrand(id); err != nil {
				break
			}
		}
	}
	if ferr := w.leases.Finish(ctx, name, w.now().Add(jobEvery), err); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// sendDue sends due mail in batches over one SMTP connection each.
func (w *Sender) sendDue(ctx context.Context, r *Round) error {
	if w.smtp == nil {
		return nil
	}
	for ctx.Err() == nil {
		ids, err := w.store.Claim(ctx, 50, 5*time.Minute)
		if err != nil || len(ids) == 0 {
			return err
		}
		var mails []Mail
		var msgs []Message
		for _, id := range ids {
			m, err := w.store.Load(ctx, id)
			if err != nil {
				return err
			}
			if why := m.SkipReason(); why != "" {
				if err := w.store.Skipped(ctx, id, why); err != nil {
					return err
				}
				r.Skipped++
				continue
			}
			mails = append(mails, m)
			msgs = append(msgs, m.Compose(w.speak(m.BrandHost, m.To.Language), w.siteURL(m.BrandHost), w.signer, w.now()))
		}
		if len(msgs) == 0 {
			continue
		}
		for i, res := range w.smtp.send(ctx, msgs) {
			if res == nil {
				if err := w.store.Sent(ctx, mails[i]); err != nil {
					return err
				}
				r.Sent++
				continue
			}
			w.log.Warn("notification mail failed", "outbox_id", mails[i].ID, "attempt", mails[i].Attempts, "retry", res.retry, "err", res.err)
			if err := w.store.Failed(ctx, mails[i], res.err, res.retry); err != nil {
				return fmt.Errorf("notify: record mail failure: %w", err)
			}
			r.Failed++
		}
		if r.Failed > 0 {
			return nil // the server is struggling: leave the rest for the next round
		}
	}
	return ctx.Err()
}
