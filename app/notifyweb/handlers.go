// Package notifyweb serves notifications: the bell on every signed-in page,
// the notifications list, watching threads and following boards, the
// notification settings and email address, the signed links in mail
// (confirm address, one-click unsubscribe), and the workers that send the
// mail, the unsolved-question reminders and the daily digests.
package notifyweb

import (
	"context"
	"log/slog"
	"net"
	"time"

	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/sqldb"
)

// Handlers are the notification pages, API and workers.
type Handlers struct {
	site    *web.Site
	cfg     Config
	store   *notify.Store
	signer  *notify.Signer
	mailer  *mailer // nil while email is off
	limits  limits
	forum   *forum.Service
	members *account.Members
	brands  *forum.Brands
	leases  Leases
	now     func() time.Time
	log     *slog.Logger
}

// Leases are the jobs table's leases, so that with many instances each
// reminder and digest run happens once.
type Leases struct {
	Claim  func(ctx context.Context, name string) (bool, error)
	Finish func(ctx context.Context, name string, next time.Time, runErr error) error
}

// New checks the configuration, builds the store, loads the link-signing key
// and subscribes the store's hook to every forum change.
func New(ctx context.Context, site *web.Site, cfg Config, db *sqldb.DB, fs *forum.Service, members *account.Members,
	brands *forum.Brands, leases Leases, now func() time.Time) (*Handlers, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st := notify.New(db, now)
	st.Mail = cfg.MailOn()
	signer, err := notify.LoadSigner(ctx, db)
	if err != nil {
		return nil, err
	}
	h := &Handlers{site: site, cfg: cfg, store: st, signer: signer, limits: newLimits(), forum: fs, members: members,
		brands: brands, leases: leases, now: now, log: site.Log()}
	if st.Mail {
		h.mailer = &mailer{cfg: cfg}
		if ip := net.ParseIP(cfg.SMTPHost); cfg.SMTPTLS == "none" && cfg.SMTPHost != "localhost" && (ip == nil || !ip.IsLoopback()) {
			h.log.Warn("SMTP without TLS to a host that is not on this machine: mail and any password cross the network in clear",
				"smtp_host", cfg.SMTPHost)
		}
	}
	fs.Subscribe(st.Hook)
	return h, nil
}

// Store is the notification store (tests and commands).
func (h *Handlers) Store() *notify.Store { return h.store }
