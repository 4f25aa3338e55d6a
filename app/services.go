package app

import (
	"context"
	"time"

	"mutual/account"
	"mutual/copilot"
	"mutual/escalation"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/i18n"
	"mutual/incident"
	"mutual/kb"
	"mutual/markup"
	"mutual/moderation"
	"mutual/privacy"
	"mutual/radar"
	"mutual/search"
	"mutual/signals"
	"mutual/sqldb"
	"mutual/sso"
	"mutual/themes"
)

// Services are the domain services an App wires together, for the
// command-line commands: they act on the same store through the same
// services (and the same hooks) as the web server, without HTTP.
type Services struct {
	DB          *sqldb.DB
	Renderer    *markup.Renderer
	Brands      *forum.Brands
	Members     *account.Members
	Forum       *forum.Service
	Moderation  *moderation.Service
	Escalations *escalation.Service
	SSO         *sso.Service
	Privacy     *privacy.Service
	Now         func() time.Time // the configured clock
	// Speaks reports whether the brand served on host has messages in
	// lang: the shipped languages and any its theme folder adds.
	Speaks func(host, lang string) bool
}

// Services returns the App's domain services.
func (a *App) Services() Services {
	return Services{DB: a.db, Renderer: a.md, Brands: a.brands, Members: a.members, Forum: a.forum,
		Moderation: a.mod, Escalations: a.escalations, SSO: a.sso, Privacy: a.privacy, Now: a.cfg.Now,
		Speaks: func(host, lang string) bool { return a.site.Themes().For(host).Catalogue().Has(lang) }}
}

// buildServices makes the domain services and the hooks between them:
// search and escalation watch forum events, and every committed change drops
// the cached pages it made stale (here and, through the bus, elsewhere).
func (a *App) buildServices(ctx context.Context) error {
	db, cfg := a.db, a.cfg
	a.md = markup.NewRenderer()
	a.brands = forum.NewBrands(db, cfg.Now)
	a.members = account.NewMembers(db, cfg.Now)
	a.forum = forum.NewService(db, a.md, cfg.Now)
	if cfg.NewMemberLimits {
		a.forum.Limits = forum.DefaultPostLimits()
	}
	// The search index follows each change inside its transaction, first,
	// as it did when the forum kept it.
	a.search = search.New(db, cfg.Now)
	a.forum.Subscribe(a.search.Hook)
	a.mod = moderation.NewService(db, a.forum)
	a.forum.Audit = a.mod.RecordStaffAct // staff relabelling someone's thread
	var err error
	if a.authz, err = moderation.NewAuthorizer(ctx, db); err != nil {
		return err
	}
	a.authz.OnChange = a.policyChanged
	if a.themes, err = themes.LoadRegistry(cfg.ThemesDir); err != nil {
		return err
	}
	a.escalations = escalation.New(db, cfg.Now)
	a.forum.Subscribe(a.escalations.Hook)
	// Signals score new posts just after they commit (scoreSignals); an
	// edit rescores its post inside its own transaction.
	a.signals = signals.New(db, cfg.Now)
	a.forum.Subscribe(a.signals.Hook)
	// The radar groups new threads with their look-alikes just after they
	// commit (groupThreads), not in the asking transaction.
	a.radar = radar.New(db, cfg.Now)
	a.sso = sso.New(db, a.members, cfg.Now)
	a.sso.Audit = ssoAudit(a.mod)
	a.copilot = copilot.New(db, a.search, cfg.Now)
	a.copilot.Audit = func(ctx context.Context, tx *sqldb.Tx, actor account.Actor, act string, before, after any) error {
		return a.mod.RecordStaffAct(ctx, tx, actor, act, "copilot_settings", 0, before, after)
	}
	if err := a.buildNotify(ctx); err != nil {
		return err
	}
	signOn := privacy.Part{Erase: sso.EraseMember,
		Export: func(ctx context.Context, q sqldb.Querier, brandID, userID int64) (any, error) {
			return sso.ExportMember(ctx, q, brandID, userID)
		}}
	a.privacy = privacy.New(db, a.members, signOn, cfg.Now)
	a.privacy.Changed = a.onChange
	a.forum.OnChange = a.onChange
	// The knowledge base: editors' acts go in the audit log; a publication
	// drops the cached pages of its source threads and the lists.
	a.kb = kb.New(db, a.md, a.forum, cfg.Now)
	a.kb.Audit = a.mod.RecordStaffAct
	a.kb.Changed = a.onChange
	a.copilot.Articles = a.kb // published articles ground agents' replies too
	a.incidents = incident.New(db, cfg.Now, a.forum, a.escalations, a.notify)
	// A burst the radar finds is recorded for the trends page and raised in
	// the brand-defence lane.
	a.radar.Alarm = radarAlarm{record: a.radar.Alarm, radar: a.radar, incidents: a.incidents, forum: a.forum, episode: radar.DefaultModel().Episode}
	return nil
}

// buildNotify makes the notification store (its hook queues notifications
// inside the writing transaction), the signer of links in mail, and the
// sender that works through the outbox.
func (a *App) buildNotify(ctx context.Context) error {
	cfg := a.cfg.Notify
	if err := cfg.Validate(); err != nil {
		return err
	}
	a.notify = notify.New(a.db, a.cfg.Now)
	a.notify.Mail = cfg.MailOn()
	var err error
	if a.signer, err = notify.LoadSigner(ctx, a.db); err != nil {
		return err
	}
	a.forum.Subscribe(a.notify.Hook)
	a.notify.Weekly = a.weeklyTrends // the radar's trends, for the weekly mail to client managers
	brandIDs := func(ctx context.Context) ([]int64, error) {
		bs, err := a.brands.All(ctx)
		ids := make([]int64, len(bs))
		for i, b := range bs {
			ids[i] = b.ID
		}
		return ids, err
	}
	leases := notify.Leases{Claim: a.jobs.Claim, Finish: a.jobs.Finish}
	a.sender = notify.NewSender(cfg, a.notify, a.signer, brandIDs, leases, a.cfg.Now, a.log)
	// Mail speaks the recipient's language, as the brand's theme words it.
	a.sender.Speak = func(host, lang string) *i18n.Localizer { return a.site.Themes().For(host).Catalogue().For(lang) }
	return nil
}
