// Package archtest holds the rules of Mutual's architecture that a test can
// check: which package owns each table (the only one that writes it), the
// reads across owners that are allowed and why, and which packages may
// import HTTP. The tests in this package parse every non-test Go file and
// fail, naming file and line, when the code breaks a rule.
package archtest

// Owners maps each table to the one package that writes it. A package that
// needs to change another's table calls a function of the owner (taking the
// caller's transaction when the change must commit with the caller's rows),
// or declares a small interface the owner satisfies.
var Owners = map[string]string{
	// Members: accounts, sign-in and a member's standing in a brand.
	"users":            "mutual/account", // the ledger's cached totals change through forum.LedgerTx, which calls account.AddReputation
	"role_assignments": "mutual/account", // a member's standing in a brand, read on every request; moderation grants through account.GrantRole
	"sessions":         "mutual/account",
	"api_tokens":       "mutual/account",
	"password_resets":  "mutual/account", // the outbox mints the mail's token through account.MintReset
	"username_holds":   "mutual/account", // an erased member's username, held (as a hash) for a while

	// Content and the brand itself: the forum.
	"brands":         "mutual/forum", // other capabilities' columns change through forum.SetBrandModeration, forum.SetPeerSLA, forum.LedgerTx
	"settings":       "mutual/forum", // deployment-wide key/value: forum.EnsureSetting
	"boards":         "mutual/forum",
	"threads":        "mutual/forum", // escalation's marks go through forum.MarkEscalated and friends
	"posts":          "mutual/forum",
	"post_revisions": "mutual/forum",
	"kudos":          "mutual/forum",

	// Finding threads: the full-text indexes and the Ask page's suggestions.
	"post_search":         "mutual/search", // SQLite's FTS index, kept by triggers and search's indexer
	"post_search_thread":  "mutual/search",
	"post_search_queue":   "mutual/search",
	"post_search_changes": "mutual/search", // which documents changed, for the word lists searches keep
	"suggestion_opens":    "mutual/search",

	// The ledger and what is derived from it.
	"reputation_events":       "mutual/reputation",
	"reputation_settings":     "mutual/reputation",
	"reputation_ranks":        "mutual/reputation",
	"reputation_rollups":      "mutual/reputation",
	"reputation_rings":        "mutual/reputation",
	"reputation_ring_members": "mutual/reputation",

	// The policy, flags and the audit log.
	"casbin_rule":        "mutual/moderation",
	"flags":              "mutual/moderation",
	"moderation_actions": "mutual/moderation",

	// Escalation of unanswered threads to agents.
	"escalations":                 "mutual/escalation",
	"escalation_events":           "mutual/escalation",
	"escalation_settings":         "mutual/escalation",
	"escalation_webhooks":         "mutual/escalation",
	"escalation_webhook_attempts": "mutual/escalation",
	"agents":                      "mutual/escalation",
	// Answers that come back from the brand's ticketing system.
	"ticketing_settings":   "mutual/escalation",
	"ticketing_updates":    "mutual/escalation",
	"ticketing_signatures": "mutual/escalation",

	// Reports: the deflection report's inputs and settings.
	"report_settings":    "mutual/report/deflection",
	"thread_view_days":   "mutual/report/deflection",
	"report_view_rollup": "mutual/report/deflection",
	"deflection_survey":  "mutual/report/deflection",
	"contact_clicks":     "mutual/report/deflection",
	"report_accepts":     "mutual/report/deflection",
	"report_salts":       "mutual/report/deflection",
	"holdout_exposures":  "mutual/report/deflection", // the holdout's raw events

	// Notifications, subscriptions and the mail outbox.
	"notifications":    "mutual/forum/notify",
	"notify_watches":   "mutual/forum/notify",
	"notify_follows":   "mutual/forum/notify",
	"notify_outbox":    "mutual/forum/notify",
	"notify_prefs":     "mutual/forum/notify",
	"notify_reminders": "mutual/forum/notify",

	// Single sign-on: a brand's OpenID Connect providers and who signs in
	// through them; accounts are made through account.CreateExternal.
	"sso_providers":  "mutual/sso",
	"sso_identities": "mutual/sso",
	"sso_flows":      "mutual/sso",
	"sso_settings":   "mutual/sso",

	// The agent copilot: a brand's optional model for wording drafts.
	"copilot_settings": "mutual/copilot",
	// The knowledge base: articles grown from solved threads; their readers
	// are counted by the deflection report, as solved threads' are.
	"kb_articles":          "mutual/kb",
	"kb_article_revisions": "mutual/kb",
	"kb_article_sources":   "mutual/kb",
	"kb_article_credits":   "mutual/kb",
	"kb_article_reports":   "mutual/kb",
	"article_view_days":    "mutual/report/deflection",

	// Members' data rights: each brand's erasure policy.
	"privacy_settings": "mutual/privacy",
	// Incidents: one problem many members hit at once, answered once.
	"incidents":         "mutual/incident",
	"incident_threads":  "mutual/incident",
	"incident_settings": "mutual/incident",

	// What posts say beyond their words: sentiment, churn and buying phrases.
	"post_signals": "mutual/signals",
	// The emerging-issue radar: groups of look-alike threads, term counts, bursts.
	"radar_groups":    "mutual/radar",
	"radar_threads":   "mutual/radar",
	"radar_bands":     "mutual/radar",
	"radar_term_days": "mutual/radar",
	"radar_bursts":    "mutual/radar",

	// The server's own machinery: background job leases and rate limits.
	"jobs":          "mutual/jobs",
	"rate_counters": "mutual/ratelimit",
}

// Exception is a package allowed to write tables it does not own.
type Exception struct {
	Package string
	Tables  []string // nil: any table
	Reason  string
}

// WriteExceptions are the only packages that write others' tables.
// Migrations are SQL files, not Go, and are not scanned.
var WriteExceptions = []Exception{
	{"mutual/forum/stackexchange", nil, "bulk loader: imports a whole Stack Exchange dump in large batches, then rebuilds the caches"},
	{"mutual/forum/synth", nil, "bulk loader: generates a whole synthetic brand in large batches, then rebuilds the caches"},
	{"mutual/migrations/storecopy", nil, "migrate-store copies a whole database table by table; it sets accepted answers once every post exists"},
}

// Read is a package allowed to read a table it does not own.
type Read struct {
	Package string
	Tables  []string
	Reason  string
}

// AllowedReads are the reads across owners kept on purpose: each joins
// another owner's rows into a query that would cost more, or say less, as
// several calls. A new pair (package, table) fails the check until it is
// moved behind the owner or listed here with its reason.
var AllowedReads = []Read{
	{"mutual/forum", []string{"reputation_events", "reputation_rollups"},
		"the kudos statement reads the receiver's day total and serial count with its own checks: one statement inside SQLite's single writer"},
	{"mutual/forum", []string{"users", "role_assignments"},
		"every thread and post list joins its authors' names and totals in one query; the posting and kudos rules read the member's standing inside the writing transaction"},
	{"mutual/account", []string{"brands"},
		"a member is trusted while their reputation reaches the brand's rep_trusted: one query with their granted roles"},
	{"mutual/reputation", []string{"users", "brands", "posts", "threads", "kudos", "role_assignments"},
		"the ledger sits below the forum (which imports it): leaderboards and ledger pages join names, an event finds its post's board, ring detection walks the kudos graph, the staff check reads roles"},
	{"mutual/moderation", []string{"users", "brands", "posts", "threads", "role_assignments"},
		"the review queue, people list and audit log show the content and members they act on"},
	{"mutual/escalation", []string{"users", "brands", "boards", "posts", "threads"},
		"the detector scans threads and their replies for candidates in one query; queues show thread titles and agent names"},
	{"mutual/search", []string{"threads", "posts", "users"},
		"the index is built from threads and their posts, ranked with their solved and answered marks, and a page of results is one query joining the threads' authors"},
	{"mutual/forum/notify", []string{"users", "brands", "boards", "posts", "threads", "kudos"},
		"a notification or digest names the thread, post and people it is about"},
	{"mutual/report/deflection", []string{"boards", "posts", "threads", "suggestion_opens", "escalations"},
		"the deflection report computes its figures across content and escalations"},
	{"mutual/signals", []string{"posts", "threads", "boards", "users", "role_assignments"},
		"the scorer reads each post with its thread's title and language; the reports name boards, threads and members, keep to visible content, leave staff out and list only members who agreed to marketing"},
	{"mutual/escalation", []string{"post_signals"},
		"the console puts the most negative of equally urgent threads first: one join on the question's score"},
	{"mutual/report/deflection", []string{"kb_articles"},
		"an article reader's viewer-day counts only on a published article, not read by its proposer: read with the batch it writes"},
	{"mutual/kb", []string{"users", "threads"},
		"articles show their proposer's, editors' and credited members' names and their source threads' titles, one join per list"},
	{"mutual/copilot", []string{"threads", "posts"},
		"grounded help reads the question it helps with and the accepted answers of the solved threads search found, one query each"},
	{"mutual/radar", []string{"threads", "posts"},
		"the radar reads a thread's title and question to group it, inside the asking transaction or in its catch-up"},
	{"mutual/incident", []string{"users", "threads", "role_assignments"},
		"an incident's page lists its threads with their titles and the agents' names; its contacts are the brand's staff"},
	{"mutual/forum/stackexchange", []string{"reputation_events"}, "bulk loader"},
	{"mutual/migrations/storecopy", nil, "migrate-store copies a whole database table by table"},
	{"mutual/bench/targets", []string{"brands", "boards", "threads", "posts", "jobs", "post_signals", "radar_threads"},
		"benchmark tool: picks ids to aim load at, and counts the background catch-up left before it measures"},
}

// TestSupport marks packages that only tests import (named like sqldbtest):
// they write fixtures straight into any table, as a test would.
const TestSupport = "test"

// HTTPClients may import net/http outside app/: each is an outbound client
// or a tool, never a server of Mutual's pages. Nothing outside app/ imports
// gin.
var HTTPClients = map[string]string{
	"mutual/bench/baseline": "benchmark load generator: an HTTP client",
	"mutual/bench/openloop": "the open-loop load generator: an HTTP client sending on schedule",
	"mutual/cli":            "the healthcheck command asks a running server's /healthz; serve reaches the server through mutual/app",

	// Single sign-on speaks OpenID Connect to a brand's providers.
	"mutual/sso":                     "the OpenID Connect client: discovery, the code exchange, the provider's keys and user info",
	"mutual/internal/testkit/oidcop": "test support: a real OpenID Provider on loopback that the tests sign in at",

	// The agent copilot asks a brand's chat-completions model, when one is set.
	"mutual/copilot": "the client of a brand's OpenAI-compatible chat-completions endpoint",
}

// AppKit is the one package under app/ that every capability's HTTP package
// may import; otherwise a capability imports no other capability's.
const AppKit = "mutual/app/web"
