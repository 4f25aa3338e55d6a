package app

import (
	"time"

	"mutual/app/accountweb"
	"mutual/app/brandweb"
	"mutual/app/copilotweb"
	"mutual/app/discoveryweb"
	"mutual/app/escalationweb"
	"mutual/app/forumweb"
	"mutual/app/incidentweb"
	"mutual/app/kbweb"
	"mutual/app/moderationweb"
	"mutual/app/notifyweb"
	"mutual/app/privacyweb"
	"mutual/app/radarweb"
	"mutual/app/reportweb"
	"mutual/app/reputationweb"
	"mutual/app/signalsweb"
	"mutual/app/ssoweb"
	"mutual/app/web"
	"mutual/escalation"
	"mutual/sso"
)

// buildCapabilities makes the HTTP kit and each capability's handlers, and
// connects what one shows of another: the kit's hooks (the notification
// bell, the reputation refusal and ranks, the discovery head) and the
// adapters in adapters.go. routes.go mounts them.
func (a *App) buildCapabilities() {
	db, cfg := a.db, a.cfg
	a.limits = web.NewLimits(db, cfg.LoginPerMin, cfg.PostInterval, cfg.Now)
	// Kept pages go stale at once on every change this process hears (and,
	// on PostgreSQL, on other instances' changes); the TTL only bounds
	// what none is told of, such as a command run against the same file.
	a.site = web.NewSite(a.log, a.authz, a.themes, a.brands, a.members, 16<<20, time.Minute)
	a.site.SecureCookies = cfg.SecureCookies
	if !cfg.WholePages {
		a.site.KeepParts(4 << 20)
	}
	if cfg.FreshPages {
		a.site.FreshPages()
	}
	a.site.Head = discoveryweb.Head

	a.notifications = notifyweb.New(a.site, cfg.Notify, a.notify, a.signer, a.forum, a.members, cfg.Now)
	a.site.Bell = a.notifications.Bell

	a.rep = reputationweb.New(a.site, a.limits, reputationweb.Services{DB: db, Forum: a.forum, Members: a.members,
		Brands: a.brands, Now: cfg.Now, Changed: a.onChange, Claim: a.jobs.Claim, Finish: a.jobs.Finish})
	a.site.Refusal = a.rep.Refusal
	a.site.Standing = a.mod.PostingBlock
	a.site.Ranks = a.rep.Ranks

	a.esc = escalationweb.New(escalationweb.Deps{Site: a.site, Limits: a.limits, Escalations: a.escalations, Forum: a.forum,
		Ticketing: escalation.NewTicketing(a.escalations, a.forum),
		Brands:    a.brands, Jobs: a.jobs, Changed: a.onChange, MetricsToken: cfg.MetricsToken, Now: cfg.Now})
	a.forumweb = forumweb.New(a.site, a.limits, forumweb.Services{Forum: a.forum, Members: a.members, Markdown: a.md, Moderation: a.mod},
		forumReputation{a.rep}, forumEscalations{a.esc})
	a.accounts = accountweb.New(a.site, a.limits, a.members)
	a.accounts.Joined = a.notifications.QueueVerify
	a.ssoweb = ssoweb.New(a.site, a.limits, a.sso)
	a.ssoweb.SignIn = a.accounts.SignIn
	a.ssoweb.Joined = a.notifications.QueueVerify
	a.accounts.SSO = federation(a.ssoweb)
	if cfg.Notify.MailOn() {
		a.accounts.ResetMail = a.notify.QueueReset
		a.accounts.MayReset = sso.NeedsPassword
	}
	a.reports = reportweb.New(a.site, a.limits, db, a.forum, a.md, cfg.Now)
	a.reports.SLAs = reportSLAs{a.escalations}
	a.forumweb.ReportSlot = a.reports.ThreadSlot
	a.forumweb.Opened = a.notifications.ThreadOpened
	a.discovery = discoveryweb.New(a.site, a.limits, a.forum, a.search, cfg.Now,
		discoveryweb.With{AskAgain: askAgain(a.forumweb), HeldOut: a.reports.HeldOut, Articles: a.kb})
	a.forumweb.AskOpened = a.reports.AskOpened
	a.modweb = moderationweb.New(a.site, a.limits, a.mod, a.forum, cfg.Now)
	a.brandweb = brandweb.New(a.site, a.brands, a.mod)
	a.modweb.Find = a.search.Search
	a.forumweb.Moderation = forumModeration{a.modweb}
	a.privacyweb = privacyweb.New(a.site, a.limits, a.privacy)
	a.copilotweb = copilotweb.New(a.site, a.copilot, a.escalations)
	a.signalsweb = signalsweb.New(a.site, a.signals, a.members, a.forum, cfg.Now)

	// The knowledge base: its readers count for the deflection report, and
	// the thread page links the articles drafted from it.
	a.kbweb = kbweb.New(a.site, a.limits, a.kb, a.forum)
	a.kbweb.CountView = a.reports.CountArticleView
	a.forumweb.ArticleSlot = a.kbweb.ThreadSlot
	a.radarweb = radarweb.New(a.site, a.radar, a.forum, cfg.Now)
	a.incidentweb = incidentweb.New(a.site, a.incidents, a.forum, cfg.Now)
	a.esc.Incidents = escalationIncidents{a.incidentweb, a.incidents}
	a.reports.Incidents = reportIncidents(a.incidents)
}
