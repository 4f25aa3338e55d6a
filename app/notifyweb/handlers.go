// Package notifyweb serves notifications: the bell on every signed-in page,
// the notifications list, watching threads and following boards, the
// notification settings and email address, and the signed links in mail
// (confirm address, one-click unsubscribe). Sending the mail is
// notify.Sender's work, not HTTP's.
package notifyweb

import (
	"log/slog"
	"time"

	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
	"mutual/forum/notify"
)

// Handlers are the notification pages and API.
type Handlers struct {
	site    *web.Site
	cfg     notify.Config
	store   *notify.Store
	signer  *notify.Signer
	limits  limits
	forum   *forum.Service
	members *account.Members
	now     func() time.Time
	log     *slog.Logger
}

// New builds the notification handlers over the store and the signer of
// links in mail.
func New(site *web.Site, cfg notify.Config, st *notify.Store, signer *notify.Signer, fs *forum.Service, members *account.Members,
	now func() time.Time) *Handlers {
	return &Handlers{site: site, cfg: cfg, store: st, signer: signer, limits: newLimits(), forum: fs, members: members,
		now: now, log: site.Log()}
}

// Store is the notification store (tests and commands).
func (h *Handlers) Store() *notify.Store { return h.store }
