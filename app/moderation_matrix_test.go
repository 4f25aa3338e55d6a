package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/forum"
	"mutual/kb"
	"mutual/markup"
	"mutual/report/deflection"
)

// The authorisation matrix: every route of the engine, who may call it on
// their own object and on someone else's, and what fills its parameters.
// Another brand's object is always 404 for those allowed (403/401 for the
// rest: the route itself is refused first; "allowed" on someone else's object
// still ends in 404 there when ownership is checked by the domain), and a refused request changes
// nothing. TestAuthzMatrix fails when a route has no row here, so a new route
// is one new line:
//
//	{"POST /api/v1/posts/:id/hide", mxPost, mods, mods, `{"reason":"spam"}`},
//
// own/other name the roles allowed (see the role sets below); body is JSON
// for /api/ routes and a url-encoded form for pages, with {board} and
// {thread} replaced by a board and another thread of the actor's brand.
var authzMatrix = []mxRow{
	// Infrastructure and reading.
	{"GET /healthz", mxNone, everyone, "", ""},
	{"GET /static/*file", mxNone, everyone, "", ""},
	{"GET /brand.css", mxNone, everyone, "", ""},
	{"GET /", mxNone, everyone, "", ""},
	{"GET /b/:id", mxBoard, everyone, everyone, ""},
	{"GET /b/:id/:slug", mxBoard, everyone, everyone, ""},
	{"GET /t/:id", mxThread, everyone, everyone, ""},
	{"GET /t/:id/:slug", mxThread, everyone, everyone, ""},
	{"GET /p/:id/history", mxPost, everyone, everyone, ""},
	{"GET /u/:username", mxUser, everyone, everyone, ""},
	{"GET /search", mxNone, everyone, "", ""},
	// Accounts.
	{"GET /signup", mxNone, everyone, "", ""},
	{"POST /signup", mxNone, everyone, "", "username=newcomer{n}&email=new{n}%40example.com&password=correct-horse-battery"},
	{"GET /login", mxNone, everyone, "", ""},
	{"POST /login", mxNone, everyone, "", "login=mx_pw&password=correct-horse-battery"},
	{"POST /logout", mxNone, everyone, "", ""},
	// Members.
	{"GET /ask", mxNone, signedIn, "", ""},
	{"POST /ask", mxNone, signedIn, "", "board_id={board}&title=A+question+from+the+matrix&body=What+does+this+route+allow%3F"},
	{"POST /t/:id/reply", mxThread, signedIn, signedIn, "body=A+reply+from+the+matrix"},
	{"GET /p/:id/edit", mxPost, signedIn, mods, ""},
	{"POST /p/:id/edit", mxPost, signedIn, mods, "body=Edited+by+the+matrix"},
	{"POST /t/:id/accept", mxThread, signedIn, mods, "post_id={reply}"},
	{"POST /t/:id/unaccept", mxThread, signedIn, mods, ""},
	{"POST /p/:id/kudos", mxPost, "", signedIn, "action=give"},
	// API.
	{"GET /api/v1/boards", mxNone, everyone, "", ""},
	{"GET /api/v1/boards/:id/threads", mxBoard, everyone, everyone, ""},
	{"POST /api/v1/threads", mxNone, signedIn, "", `{"board_id":{board},"title":"A question from the matrix","body":"What does this route allow?"}`},
	{"GET /api/v1/threads/:id", mxThread, everyone, everyone, ""},
	{"POST /api/v1/threads/:id/posts", mxThread, signedIn, signedIn, `{"body":"A reply from the matrix"}`},
	{"PATCH /api/v1/posts/:id", mxPost, signedIn, mods, `{"body":"Edited by the matrix"}`},
	{"GET /api/v1/posts/:id/revisions", mxPost, everyone, everyone, ""},
	{"POST /api/v1/posts/:id/kudos", mxPost, "", signedIn, ""},
	{"DELETE /api/v1/posts/:id/kudos", mxPost, "", signedIn, ""},
	{"POST /api/v1/threads/:id/accept", mxThread, signedIn, mods, `{"post_id":{reply}}`},
	{"DELETE /api/v1/threads/:id/accept", mxThread, signedIn, mods, ""},
	{"GET /api/v1/me", mxNone, signedIn, "", ""},
	{"GET /api/v1/search", mxNone, everyone, "", ""},
	{"POST /api/v1/preview", mxNone, signedIn, "", `{"body":"preview me"}`},

	// Moderation pages.
	{"POST /p/:id/flag", mxPost, "", signedIn, "reason=spam&note=matrix"},
	{"POST /p/:id/mod", mxPost, mods, mods, "act=hide&reason=matrix"},
	{"POST /t/:id/mod", mxThread, mods, mods, "act=lock&reason=matrix"},
	{"GET /mod/queue", mxNone, reviewers, "", ""},
	{"POST /mod/queue/:id", mxPost, reviewers, reviewers, "decision=dismiss"},
	{"GET /mod/users/:username", mxUser, mods, mods, ""},
	{"POST /mod/users/:username", mxUser, "", mods, "act=warn&reason=matrix"},
	{"GET /mod/audit", mxNone, auditors, "", ""},
	{"GET /mod/audit.csv", mxNone, auditors, "", ""},
	{"GET /admin/roles", mxNone, admins, "", ""},
	{"POST /admin/roles", mxNone, admins, "", "username={other}&role=trusted&op=grant"},
	{"GET /admin/brand", mxNone, admins, "", ""},
	{"POST /admin/brand", mxNone, admins, "", "name=Matrix+Mobile&color_primary=%23123456&color_accent=%23ffd400&op=save"},
	// Moderation API.
	{"POST /api/v1/posts/:id/flags", mxPost, "", signedIn, `{"reason":"spam","note":"matrix"}`},
	{"GET /api/v1/moderation/queue", mxNone, reviewers, "", ""},
	{"POST /api/v1/moderation/queue/:id", mxPost, reviewers, reviewers, `{"decision":"dismiss"}`},
	{"POST /api/v1/posts/:id/hide", mxPost, mods, mods, `{"reason":"matrix"}`},
	{"POST /api/v1/posts/:id/unhide", mxPost, mods, mods, ""},
	{"POST /api/v1/posts/:id/delete", mxPost, mods, mods, `{"reason":"matrix"}`},
	{"POST /api/v1/posts/:id/restore", mxPost, mods, mods, ""},
	{"POST /api/v1/posts/:id/revise", mxPost, mods, mods, `{"body":"Revised by the matrix","reason":"matrix"}`},
	{"POST /api/v1/threads/:id/lock", mxThread, mods, mods, ""},
	{"POST /api/v1/threads/:id/unlock", mxThread, mods, mods, ""},
	{"POST /api/v1/threads/:id/pin", mxThread, mods, mods, ""},
	{"POST /api/v1/threads/:id/unpin", mxThread, mods, mods, ""},
	{"POST /api/v1/threads/:id/move", mxThread, mods, mods, `{"board_id":{board}}`},
	{"POST /api/v1/threads/:id/merge", mxThread, mods, mods, `{"into":{thread}}`},
	{"GET /api/v1/users/:username/standing", mxUser, mods, mods, ""},
	{"POST /api/v1/users/:username/warn", mxUser, "", mods, `{"reason":"matrix"}`},
	{"POST /api/v1/users/:username/suspend", mxUser, "", mods, `{"until":"72h","reason":"matrix"}`},
	{"POST /api/v1/users/:username/unsuspend", mxUser, "", mods, ""},
	{"POST /api/v1/users/:username/ban", mxUser, "", mods, `{"reason":"matrix"}`},
	{"POST /api/v1/users/:username/unban", mxUser, "", mods, ""},
	{"POST /api/v1/users/:username/roles", mxUser, admins, admins, `{"role":"trusted"}`},
	{"DELETE /api/v1/users/:username/roles/:role", mxUserRole, admins, admins, ""},
	{"GET /api/v1/audit", mxNone, auditors, "", ""},
	{"GET /api/v1/moderation/settings", mxNone, admins, "", ""},
	{"PUT /api/v1/moderation/settings", mxNone, admins, "", `{"premod_posts":0,"flag_hide_at":3,"mods_see_email":false,"staff_label":"Staff"}`},

	// Notifications.
	{"GET /notifications", mxNone, signedIn, "", ""},
	{"GET /notifications/:id", mxToken, signedIn, "", ""},
	{"POST /notifications/read", mxNone, signedIn, "", ""},
	{"POST /t/:id/watch", mxThread, signedIn, signedIn, ""},
	{"POST /t/:id/unwatch", mxThread, signedIn, signedIn, ""},
	{"POST /b/:id/follow", mxBoard, signedIn, signedIn, ""},
	{"POST /b/:id/unfollow", mxBoard, signedIn, signedIn, ""},
	{"GET /settings/notifications", mxNone, signedIn, "", ""},
	{"POST /settings/notifications", mxNone, signedIn, "", "mode=never"},
	{"POST /settings/email", mxNone, signedIn, "", "email=changed{n}%40example.com&password=correct-horse-battery"},
	{"POST /settings/email/verify", mxNone, signedIn, "", ""},
	{"GET /verify-email/:token", mxToken, everyone, "", ""},
	{"GET /unsubscribe/:token", mxToken, everyone, "", ""},
	{"POST /unsubscribe/:token", mxToken, everyone, "", ""},
	{"GET /api/v1/notifications", mxNone, signedIn, "", ""},
	{"POST /api/v1/notifications/read", mxNone, signedIn, "", `{}`},
	{"GET /api/v1/notifications/preferences", mxNone, signedIn, "", ""},
	{"PUT /api/v1/notifications/preferences", mxNone, signedIn, "", `{"email":"never"}`},
	{"GET /api/v1/threads/:id/watch", mxThread, signedIn, signedIn, ""},
	{"PUT /api/v1/threads/:id/watch", mxThread, signedIn, signedIn, ""},
	{"DELETE /api/v1/threads/:id/watch", mxThread, signedIn, signedIn, ""},
	{"GET /api/v1/boards/:id/follow", mxBoard, signedIn, signedIn, ""},
	{"PUT /api/v1/boards/:id/follow", mxBoard, signedIn, signedIn, ""},
	{"DELETE /api/v1/boards/:id/follow", mxBoard, signedIn, signedIn, ""},

	// Deflection reports: refused as 404, so a brand's reports are
	// not even confirmed to exist.
	{"GET /reports/deflection", mxNone, reporters, "", ""},
	{"GET /api/v1/reports/deflection", mxNone, reporters, "", ""},
	{"GET /reports/deflection/settings", mxNone, admins, "", ""},
	{"POST /reports/deflection/settings", mxNone, admins, "", "cost=5.50&currency=GBP&rate=10&min_answers=30&escalation_sla=15&agent_sla=4&contact_url=https%3A%2F%2Fexample.com%2Fcontact"},
	{"GET /survey/:id", mxThread, everyone, everyone, ""},
	{"POST /survey/:id", mxThread, everyone, everyone, "answer=yes"},
	{"GET /contact", mxNone, everyone, "", ""},

	// Reputation.
	{"GET /leaderboard", mxNone, everyone, "", ""},
	{"GET /u/:username/reputation", mxUser, everyone, everyone, ""},
	{"GET /admin/reputation", mxNone, admins, "", ""},
	{"POST /admin/reputation", mxNone, admins, "", "kudos_received=10"},
	{"GET /admin/reputation/export", mxNone, reporters, "", ""},
	{"GET /mod/reputation/rings", mxNone, mods, "", ""},
	{"POST /mod/reputation/rings/scan", mxNone, mods, "", ""},
	{"POST /mod/reputation/rings/:id", mxToken, mods, "", "status=dismissed"},
	{"GET /api/v1/users/:username", mxUser, everyone, everyone, ""},
	{"GET /api/v1/users/:username/reputation", mxUser, everyone, everyone, ""},
	{"GET /api/v1/leaderboard", mxNone, everyone, "", ""},
	{"GET /api/v1/boards/:id/top-helpers", mxBoard, everyone, everyone, ""},
	{"GET /api/v1/reputation/settings", mxNone, admins, "", ""},
	{"PUT /api/v1/reputation/settings", mxNone, admins, "", `{}`},
	{"GET /api/v1/reputation/export", mxNone, reporters, "", ""},
	{"GET /api/v1/reputation/rings", mxNone, mods, "", ""},
	{"POST /api/v1/reputation/rings/scan", mxNone, mods, "", ""},
	{"PATCH /api/v1/reputation/rings/:id", mxToken, mods, "", `{"status":"dismissed"}`},

	// Escalations. /metrics answers loopback callers or a metrics
	// token only; the matrix calls from a documentation address.
	{"GET /metrics", mxNone, "", "", ""},
	{"GET /console", mxNone, escReaders, "", ""},
	// Shifts need an agent profile (mutual agent add), which the matrix's
	// actors lack: the handler's 404 says so, past the check.
	{"POST /console/shift", mxToken, agents, "", "on_shift=1"},
	{"GET /escalations/supervisor", mxNone, supervisors, "", ""},
	{"GET /escalations/webhooks", mxNone, supervisors, "", ""},
	{"GET /escalations/:id", mxToken, escReaders, "", ""},
	{"POST /escalations/:id/:act", mxToken, agents, "", ""},
	{"POST /t/:id/escalate", mxThread, signedIn, reviewers, "reason=Nobody+has+answered"},
	{"POST /t/:id/still-need-help", mxThread, signedIn, "", ""},
	{"GET /api/v1/escalations", mxNone, escReaders, "", ""},
	{"GET /api/v1/escalations/stats", mxNone, supervisors, "", ""},
	{"GET /api/v1/escalations/:id", mxToken, escReaders, "", ""},
	{"POST /api/v1/escalations/:id/claim", mxToken, agents, "", ""},
	{"POST /api/v1/escalations/:id/release", mxToken, agents, "", ""},
	{"POST /api/v1/escalations/:id/handover", mxToken, agents, "", `{"note":"matrix"}`},
	{"POST /api/v1/escalations/:id/close", mxToken, agents, "", ""},
	{"PUT /api/v1/agents/me/shift", mxToken, agents, "", `{"on_shift":true}`},
	{"POST /api/v1/threads/:id/escalate", mxThread, signedIn, reviewers, `{"reason":"Nobody has answered"}`},
	{"POST /api/v1/threads/:id/still-need-help", mxThread, signedIn, "", ""},

	// Search engines and similar questions.
	{"GET /robots.txt", mxNone, everyone, "", ""},
	{"GET /sitemap.xml", mxNone, everyone, "", ""},
	{"GET /sitemaps/:file", mxToken, everyone, "", ""},
	{"GET /feeds/latest.atom", mxNone, everyone, "", ""},
	{"GET /feeds/unanswered.atom", mxNone, everyone, "", ""},
	{"GET /feeds/boards/:file", mxToken, everyone, "", ""},
	{"GET /ask/similar/:id", mxThread, signedIn, signedIn, ""},
	{"POST /ask/similar", mxNone, signedIn, "", "title=How+do+I+port+my+number&body=details"},
	{"GET /api/v1/similar", mxNone, everyone, "", ""},

	// Single sign-on. The matrix makes no provider, so :id is one that does
	// not exist (the handler's 404); another brand's provider is 404 too
	// (TestSSOAProvidersBrandIsTheOnlyOneItSignsInto). Without a pending link
	// the link page answers 400, past the check.
	{"GET /sso/:id/start", mxToken, everyone, "", ""},
	{"GET /sso/:id/callback", mxToken, everyone, "", ""},
	{"GET /sso/link", mxNone, everyone, "", ""},
	{"POST /sso/link", mxNone, everyone, "", "password=correct-horse-battery"},
	{"GET /admin/sso", mxNone, admins, "", ""},
	{"POST /admin/sso/providers", mxNone, admins, "", "label=Matrix+ID&issuer=http%3A%2F%2F127.0.0.1%3A9&client_id=matrix&client_secret=matrix"},
	{"POST /admin/sso/providers/:id", mxToken, admins, "", "label=Matrix+ID&issuer=http%3A%2F%2F127.0.0.1%3A9&client_id=matrix"},
	{"POST /admin/sso/providers/:id/remove", mxToken, admins, "", ""},
	{"POST /admin/sso/password-signup", mxNone, admins, "", "password_signup=on"},
	// Password reset: anyone may ask (the answer never says whether the
	// account exists) and use a link; the matrix's links are made up.
	{"GET /password/forgot", mxNone, everyone, "", ""},
	{"POST /password/forgot", mxNone, everyone, "", "login=mx_pw"},
	{"GET /password/reset/:token", mxToken, everyone, "", ""},
	{"POST /password/reset/:token", mxToken, everyone, "", "password=correct-horse-battery&confirm=correct-horse-battery"},
	// API tokens: each member their own; another's is not found. A token
	// cannot make tokens (the matrix acts with tokens): sessions make them.
	// The reader's language: anyone switches this browser's; a member saves
	// their own.
	{"GET /language/:lang", mxNone, everyone, "", ""},
	{"GET /settings/language", mxNone, signedIn, "", ""},
	{"POST /settings/language", mxNone, signedIn, "", "language=en"},
	{"GET /settings/tokens", mxNone, signedIn, "", ""},
	{"POST /settings/tokens", mxNone, signedIn, "", "name=matrix&expires=30d"},
	{"POST /settings/tokens/:id/revoke", mxAPIToken, signedIn, "", ""},
	{"GET /api/v1/tokens", mxNone, signedIn, "", ""},
	{"POST /api/v1/tokens", mxNone, "", "", `{"name":"matrix"}`},
	{"DELETE /api/v1/tokens/:id", mxAPIToken, signedIn, "", ""},
	// Members' data rights. A member exports or deletes only their own
	// account (the matrix's accounts have no password, so deleting stops at
	// the confirmation); an administrator exports and erases any member of
	// their own brand, but not themselves through the administrator's route.
	{"GET /settings/privacy", mxNone, signedIn, "", ""},
	{"GET /settings/privacy/export", mxNone, signedIn, "", ""},
	{"POST /settings/privacy/delete", mxNone, signedIn, "", "confirm_username=somebody-else"},
	{"GET /admin/privacy", mxNone, admins, "", ""},
	{"POST /admin/privacy", mxNone, admins, "", "erased_posts=keep&username_hold_days=90"},
	{"GET /admin/privacy/users/:username", mxUser, admins, admins, ""},
	{"GET /admin/privacy/users/:username/export", mxUser, admins, admins, ""},
	{"POST /admin/privacy/users/:username/erase", mxUser, "", admins, "confirm_username=somebody-else&reason=matrix"},
	{"GET /api/v1/me/export", mxNone, signedIn, "", ""},
	{"DELETE /api/v1/me", mxNone, signedIn, "", `{"confirm_username":"somebody-else"}`},
	{"GET /api/v1/users/:username/export", mxUser, admins, admins, ""},
	{"POST /api/v1/users/:username/erase", mxUser, "", admins, `{"confirm_username":"somebody-else","reason":"matrix"}`},
	{"GET /api/v1/privacy/settings", mxNone, admins, "", ""},
	{"PUT /api/v1/privacy/settings", mxNone, admins, "", `{"erased_posts":"keep","username_hold_days":90}`},

	// Content language: whoever may edit a question may change its language.
	// The radar's trends: the brand's client managers and admins.
	{"GET /reports/trends", mxNone, reporters, "", ""},

	{"POST /t/:id/language", mxThread, signedIn, mods, "language=es"},
	{"PUT /api/v1/threads/:id/language", mxThread, signedIn, mods, `{"language":"es"}`},

	// The agent copilot: agents (who work escalations) see grounded help;
	// the matrix's escalation ids are made up, so past the check it is a
	// 404. Administrators set the brand's model.
	{"GET /escalations/:id/help", mxToken, agents, "", ""},
	{"GET /api/v1/escalations/:id/help", mxToken, agents, "", ""},
	{"GET /admin/copilot", mxNone, admins, "", ""},
	{"POST /admin/copilot", mxNone, admins, "", "endpoint=http%3A%2F%2F127.0.0.1%3A9%2Fv1%2Fchat%2Fcompletions&model=matrix"},
	// Answers from the brand's ticketing system. The callback is
	// signature-authenticated: no role opens it, a valid HMAC does (its own
	// tests sign requests), so every role here is refused with 401.
	{"GET /admin/ticketing", mxNone, admins, "", ""},
	{"POST /admin/ticketing", mxNone, admins, "", "author=nobody-here&op=generate"},
	{"POST /api/v1/ticketing/callback", mxNone, signatureOnly, "", `{"case_id":"1","escalation_id":1,"status":"solved","agent_name":"A"}`},
	// The deflection holdout: its share is the admin's, its raw events the report's readers'.
	{"POST /reports/deflection/holdout", mxNone, admins, "", "holdout=5"},
	{"GET /api/v1/reports/deflection/holdout.csv", mxNone, reporters, "", ""},
	// Signals: client managers read the signals report, the sales team the
	// leads and their CSV; each member chooses whether sales may contact
	// them (a listening tool's account is no member).
	{"GET /reports/signals", mxNone, reporters, "", ""},
	{"GET /leads", mxNone, sellers, "", ""},
	{"GET /leads.csv", mxNone, sellers, "", ""},
	{"GET /settings/marketing", mxNone, signedIn, "", ""},
	{"POST /settings/marketing", mxNone, signedIn, "", "marketing=yes"},
	// Outside channels: only a listening tool's token pushes mentions.
	{"POST /api/v1/intake/mentions", mxNone, integrations, "", `{"channel":"x","text":"Mention from the matrix","author_handle":"@matrix","url":"https://x.example/status/{n}","posted_at":"2025-05-06T09:00:00Z"}`},
	// The knowledge base. The object is a published article its owner
	// proposed: anyone reads it; trusted members and staff propose (the
	// form without a solved thread answers 422, past the check); only
	// editors of the brand edit, review and publish (submitting or
	// publishing a published article is their 409); members report it.
	{"GET /kb", mxNone, everyone, "", ""},
	{"GET /kb/queue", mxNone, editors, "", ""},
	{"GET /kb/propose", mxNone, proposers, "", ""},
	{"POST /kb/propose", mxNone, proposers, "", "thread={thread}&board_id={board}&title=Matrix+article&body=Drafted+by+the+matrix"},
	{"GET /kb/:id", mxArticle, everyone, everyone, ""},
	{"GET /kb/:id/:slug", mxArticle, everyone, everyone, ""},
	{"GET /kb/history/:id", mxArticle, everyone, everyone, ""},
	{"GET /kb/edit/:id", mxArticle, editors, editors, ""},
	{"POST /kb/edit/:id", mxArticle, editors, editors, "board_id={board}&title=Matrix+article&body=Edited+by+the+matrix"},
	{"POST /kb/:id/submit", mxArticle, editors, editors, ""},
	{"POST /kb/:id/publish", mxArticle, editors, editors, ""},
	{"POST /kb/:id/return", mxArticle, editors, editors, "note=matrix"},
	{"POST /kb/:id/reviewed", mxArticle, editors, editors, ""},
	{"POST /kb/:id/report", mxArticle, signedIn, signedIn, "note=matrix"},
	{"GET /api/v1/articles", mxNone, everyone, "", ""},
	{"GET /api/v1/articles/:id", mxArticle, everyone, everyone, ""},
	{"GET /feeds/articles.atom", mxNone, everyone, "", ""},
	// Incidents: the brand's agents and moderators work them; its
	// administrators set the acknowledgement SLA and the contacts.
	{"GET /incidents", mxNone, incStaff, "", ""},
	{"POST /incidents", mxNone, incStaff, "", "label=Matrix+outage&thread={thread}"},
	{"GET /incidents/settings", mxNone, admins, "", ""},
	{"POST /incidents/settings", mxNone, admins, "", "ack_minutes=15&contacts="},
	{"GET /incidents/:id", mxToken, incStaff, "", ""},
	{"POST /incidents/:id/acknowledge", mxToken, incStaff, "", ""},
	{"POST /incidents/:id/status", mxToken, incStaff, "", "board_id={board}&title=Known+issue&body=We+know+about+it."},
	{"POST /incidents/:id/reply-all", mxToken, incStaff, "", ""},
	{"POST /incidents/:id/close", mxToken, incStaff, "", "outcome=resolved"},
	{"GET /api/v1/incidents", mxNone, incStaff, "", ""},
	{"GET /api/v1/incidents/:id", mxToken, incStaff, "", ""},
	{"POST /api/v1/incidents/:id/acknowledge", mxToken, incStaff, "", ""},
	{"POST /api/v1/incidents/:id/close", mxToken, incStaff, "", `{"outcome":"resolved"}`},
}

// incStaff work incidents: agents, moderators and administrators.
const incStaff = "moderator agent admin"

// Role sets for the matrix (space-separated roles).
const (
	everyone  = "anonymous member trusted moderator agent client_manager editor admin sales integration"
	signedIn  = "member trusted moderator agent client_manager editor admin sales"
	reviewers = "trusted moderator admin" // see and handle flags
	mods      = "moderator admin"
	auditors  = "moderator client_manager admin"
	admins    = "admin"
	reporters = "client_manager admin"
	// escalations: agents work them, moderators supervise, both read.
	escReaders  = "moderator agent admin"
	agents      = "agent admin"
	supervisors = "moderator admin"
	// signatureOnly: no role is enough; the request's signature is the credential.
	signatureOnly = ""
	// signals: the brand's sales team sees its leads; a listening tool's
	// account pushes mentions and reads only what a visitor reads.
	sellers      = "sales admin"
	integrations = "integration"
	// the knowledge base: editors review and publish what trusted members
	// and staff propose.
	editors   = "editor admin"
	proposers = "trusted moderator agent editor admin"
)

var mxRoles = []string{"anonymous", "member", "trusted", "moderator", "agent", "client_manager", "editor", "admin", "sales", "integration"}

// mxTarget says what fills a route's path parameters.
type mxTarget int

const (
	mxNone     mxTarget = iota // no object: own only, no other brand
	mxBoard                    // :id (and :slug) of a board
	mxThread                   // :id (and :slug) of a thread
	mxPost                     // :id of a reply
	mxUser                     // :username
	mxUserRole                 // :username and :role (a role they hold)
	mxToken                    // an opaque :token or :id the matrix does not make; the handler's 4xx for a bad one is not a refusal
	mxAPIToken                 // :id of an API token of the owner (not the one the request is made with)
	mxArticle                  // :id (and :slug) of a published knowledge-base article the owner proposed
)

type mxRow struct {
	route      string
	target     mxTarget
	own, other string
	body       string
}

func mxAllows(set, role string) bool {
	for _, r := range strings.Fields(set) {
		if r == role {
			return true
		}
	}
	return false
}

// mxDigest sums what any write would change: row counts and the columns
// moderation and posting touch.
func mxDigest(t *testing.T, s *site) string {
	t.Helper()
	qs := []string{
		`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM threads`, `SELECT COUNT(*) FROM posts`, `SELECT COUNT(*) FROM post_revisions`,
		`SELECT COUNT(*) FROM kudos`, `SELECT COUNT(*) FROM reputation_events`, `SELECT COUNT(*) FROM flags`,
		`SELECT COUNT(*) FROM moderation_actions`, `SELECT COUNT(*) FROM role_assignments`, `SELECT COUNT(*) FROM sessions`,
		`SELECT COUNT(*) FROM boards`, `SELECT COUNT(*) FROM casbin_rule`,
		`SELECT COALESCE(SUM(LENGTH(status) * id + revision_count + kudos_count + thread_id), 0) FROM posts`,
		`SELECT COALESCE(SUM(LENGTH(status) * id + COALESCE(locked_at, 0) % 997 + pinned + board_id + reply_count + COALESCE(accepted_post_id, 0) + COALESCE(merged_into, 0)), 0) FROM threads`,
		`SELECT COALESCE(SUM(COALESCE(suspended_until, 0) % 997 + COALESCE(banned_at, 0) % 991 + reputation), 0) FROM users`,
		`SELECT COALESCE(SUM(thread_count * 31 + post_count), 0) FROM boards`,
		`SELECT COALESCE(SUM(premod_posts + flag_hide_at + mods_see_email + LENGTH(staff_label)), 0) FROM brands`,
		// What the other capabilities write: a refused request touches none of it.
		`SELECT COUNT(*) FROM notifications`, `SELECT COUNT(*) FROM notify_watches`, `SELECT COUNT(*) FROM notify_follows`,
		`SELECT COUNT(*) FROM notify_prefs`, `SELECT COUNT(*) FROM notify_outbox`,
		`SELECT COUNT(*) FROM escalations`, `SELECT COUNT(*) FROM escalation_events`, `SELECT COUNT(*) FROM agents`,
		`SELECT COALESCE(SUM(LENGTH(status) * id + COALESCE(claimed_by, 0)), 0) FROM escalations`,
		`SELECT COUNT(*) FROM reputation_settings`, `SELECT COUNT(*) FROM reputation_rings`,
		`SELECT COUNT(*) FROM report_settings`, `SELECT COUNT(*) FROM deflection_survey`, `SELECT COUNT(*) FROM contact_clicks`,
		`SELECT COUNT(*) FROM suggestion_opens`, `SELECT COALESCE(SUM(COALESCE(still_need_help_at, 0) % 997), 0) FROM threads`,
		`SELECT COUNT(*) FROM sso_providers`, `SELECT COUNT(*) FROM sso_identities`, `SELECT COUNT(*) FROM sso_settings`,
		`SELECT COUNT(*) FROM api_tokens`, `SELECT COUNT(*) FROM password_resets`,
		// The ticketing callback and the deflection holdout.
		`SELECT COUNT(*) FROM ticketing_settings`, `SELECT COUNT(*) FROM ticketing_updates`, `SELECT COUNT(*) FROM holdout_exposures`,
		`SELECT COALESCE(SUM(holdout_bp), 0) FROM report_settings`,
		`SELECT COALESCE(SUM(marketing_opt_in), 0) FROM users`,
		`SELECT COUNT(*) FROM kb_articles`, `SELECT COUNT(*) FROM kb_article_revisions`, `SELECT COUNT(*) FROM kb_article_reports`,
		`SELECT COALESCE(SUM(LENGTH(state) * id + revision_count + review_by % 997 + LENGTH(review_note)), 0) FROM kb_articles`,
		`SELECT COUNT(*) FROM incidents`, `SELECT COUNT(*) FROM incident_threads`, `SELECT COUNT(*) FROM incident_settings`,
	}
	var b strings.Builder
	for _, q := range qs {
		var n int64
		if err := s.app.DB().QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "%d,", n)
	}
	return b.String()
}

// mxObject is one owner's fresh objects: a thread with a reply by someone
// else (so the owner's own reply can be accepted or kudoed by others).
type mxObject struct {
	board           forum.Board
	thread          forum.Thread
	reply           int64 // a reply by the owner
	username        string
	otherReply      int64 // a reply by someone else, for accepting
	spareThreadID   int64
	slug, boardSlug string
	apiToken        int64 // an API token of the owner, for mxAPIToken routes
	article         kb.Article
}

func TestAuthzMatrix(t *testing.T) {
	s, otherBoard := mxSite(t)
	actors := map[string]member{}
	for _, role := range mxRoles[1:] {
		actors[role] = s.user(s.brand.ID, "mx_"+strings.ReplaceAll(role, "_", ""), role)
	}
	n := 0
	// A brand-B board's slug and id stand in for "another brand's board".
	for _, row := range authzMatrix {
		for _, role := range mxRoles {
			scopes := []string{"own", "other", "foreign"}
			if row.target == mxNone || row.target == mxToken {
				scopes = []string{"own"}
			}
			for _, scope := range scopes {
				if role == "anonymous" && scope == "own" && row.target != mxNone {
					continue // a visitor owns nothing
				}
				var obj mxObject
				if row.target != mxNone && row.target != mxToken {
					var owner member
					switch scope {
					case "own":
						owner = actors[role]
					case "other":
						owner = s.user(s.brand.ID, fmt.Sprintf("mxo%d", n+1))
					case "foreign":
						owner = s.user(otherBoard.BrandID, fmt.Sprintf("mxf%d", n+1))
					}
					board := s.board
					if scope == "foreign" {
						board = otherBoard
					}
					n++
					obj = mxMake(t, s, board, owner, n)
					if row.target == mxAPIToken {
						obj.apiToken = mxAPITokenOf(t, s, owner)
					}
					if row.target == mxArticle {
						obj.article = mxArticleOf(t, s, obj, owner, n)
					}
				}
				want := "deny"
				switch {
				case scope == "foreign" && (mxAllows(row.other, role) || mxAllows(row.own, role)):
					// Past the route's check, another brand's object does not exist.
					want = "404"
				case scope == "own" && mxAllows(row.own, role), scope == "other" && mxAllows(row.other, role):
					want = "allow"
				}
				who := mxAuth{}
				if role != "anonymous" {
					who.bearer = actors[role].token
				}
				mxTry(t, s, row, obj, n, who, want, fmt.Sprintf("%s as %s on %s object", row.route, role, scope))
			}
		}
	}
	s.noErrorLogs()
}

// TestAuthzMatrixBoundByStanding walks every route of the matrix as members
// whose standing holds them to a visitor's rights: banned staff of every
// kind, a banned member whose reputation would make them trusted, and
// suspended members. Each, by bearer token and by session alike, must get
// exactly what a visitor gets: allowed only where a visitor is, refused
// (401, 403, or sent to sign in; 404 where a route hides its object)
// everywhere else, with nothing changed. Owning the object grants nothing.
func TestAuthzMatrixBoundByStanding(t *testing.T) {
	s, otherBoard := mxSite(t)
	ctx := context.Background()
	form := deflection.FormOf(deflection.DefaultSettings(s.brand.ID))
	form.ContactURL = "https://example.com/contact" // so that "Contact us" serves a visitor
	if _, err := deflection.SaveSettings(ctx, s.app.DB(), s.brand.ID, form, s.clock.Now()); err != nil {
		t.Fatal(err)
	}
	actors := mxRestrictedActors(t, s)
	owner, foreigner := s.user(s.brand.ID, "mxr_owner"), s.user(otherBoard.BrandID, "mxr_foreign")
	others := mxMake(t, s, s.board, owner, 100)
	foreign := mxMake(t, s, otherBoard, foreigner, 101)
	others.article, foreign.article = mxArticleOf(t, s, others, owner, 100), mxArticleOf(t, s, foreign, foreigner, 101)
	n := 101
	for _, row := range authzMatrix {
		scopes := map[string]mxObject{"own": {}}
		if row.target != mxNone && row.target != mxToken {
			scopes = map[string]mxObject{"own": {}, "other": others, "foreign": foreign}
		}
		// A visitor's rights: on an object, those anyone has on another's.
		visitor := mxAllows(row.other, "anonymous")
		if row.target == mxNone || row.target == mxToken {
			visitor = mxAllows(row.own, "anonymous")
		}
		want := map[bool]string{true: "allow", false: "deny"}[visitor]
		for scope, obj := range scopes {
			for _, a := range actors {
				if scope == "own" {
					obj = a.obj
				}
				w := want
				if scope == "foreign" && visitor {
					w = "404" // another brand's object does not exist here
				}
				sess, err := s.members.StartSession(ctx, s.brand.ID, a.m.actor.UserID)
				if err != nil {
					t.Fatal(err)
				}
				n++
				for how, who := range map[string]mxAuth{"token": {bearer: a.m.token}, "session": {session: sess.Token, csrf: sess.CSRF}} {
					mxTry(t, s, row, obj, n, who, w, fmt.Sprintf("%s as a %s (%s) on %s object", row.route, a.name, how, scope))
				}
			}
		}
	}
	s.noErrorLogs()
}

// mxSite is the site both matrices walk, with a second brand's board, a
// second board of the brand, kudos open to new accounts, an account for the
// admin routes to grant roles to, and one that signs in with a password.
func mxSite(t *testing.T) (*site, forum.Board) {
	t.Helper()
	s := newSite(t)
	ctx := context.Background()
	other, err := s.brands.Create(ctx, forum.NewBrand{Host: "beta.test", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	otherBoard := s.newBoard(other.ID, "Beta board")
	relaxKudosGivers(t, s) // giver age and activity rules are reputation's tests, not this one
	s.newBoard(s.brand.ID, "Second board")
	mxCoversEveryRoute(t, s)
	s.user(s.brand.ID, "mx_grantee") // receives roles from the admin routes
	if _, err := s.members.Create(ctx, account.Signup{BrandID: s.brand.ID, Username: "mx_pw", Email: "mx_pw@example.com", Password: "correct-horse-battery"}); err != nil {
		t.Fatal(err)
	}
	return s, otherBoard
}

// mxRestricted is a member whose standing holds them to a visitor's rights.
type mxRestricted struct {
	name   string
	m      member
	banned bool // else suspended
	holds  string
	obj    mxObject // their own thread and reply
}

// mxRestrictedActors makes, each with a thread of their own, the members
// who hold powers in good standing (checked), then bans or suspends them.
func mxRestrictedActors(t *testing.T, s *site) []mxRestricted {
	t.Helper()
	ctx := context.Background()
	var out []mxRestricted
	for i, a := range []struct {
		name, holds string
		banned      bool
	}{{"banned moderator", "moderator", true}, {"banned admin", "admin", true}, {"banned agent", "agent", true},
		{"banned client manager", "client_manager", true}, {"banned trusted member", "trusted", true},
		{"suspended member", "member", false}, {"suspended moderator", "moderator", false}, {"banned editor", "editor", true}} {
		var roles []string
		if a.holds != "trusted" && a.holds != "member" {
			roles = []string{a.holds}
		}
		r := mxRestricted{name: a.name, m: s.user(s.brand.ID, fmt.Sprintf("mxr%d", i), roles...), banned: a.banned, holds: a.holds}
		r.obj = mxMake(t, s, s.board, r.m, i+1)
		r.obj.article = mxArticleOf(t, s, r.obj, r.m, i+1)
		out = append(out, r)
		id := r.m.actor.UserID
		switch a.holds {
		case "trusted": // earned: 600 reputation against the brand's 500
			if _, err := s.app.DB().Exec(ctx, `UPDATE users SET reputation = 600 WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
		case "agent": // with a profile on shift, which the shift and claim routes need
			if _, err := s.app.Escalations().AddAgent(ctx, escalation.NewAgent{BrandID: s.brand.ID, UserID: id, Person: r.m.actor.Username, OnShift: true}); err != nil {
				t.Fatal(err)
			}
		}
		if rs, _ := s.members.RolesOf(ctx, s.brand.ID, id); !slices.Contains(rs, a.holds) {
			t.Fatalf("%s holds %v in good standing, want %s among them", a.name, rs, a.holds)
		}
		var err error
		if a.banned {
			err = account.Ban(ctx, s.app.DB(), id, s.clock.Now(), "matrix")
		} else {
			err = account.Suspend(ctx, s.app.DB(), id, s.clock.Now().Add(72*time.Hour), "matrix")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// mxCoversEveryRoute checks that every route is in the matrix, once, and
// that every row names a route.
func mxCoversEveryRoute(t *testing.T, s *site) {
	t.Helper()
	rows := map[string]mxRow{}
	for _, r := range authzMatrix {
		if _, dup := rows[r.route]; dup {
			t.Errorf("route %s has two rows", r.route)
		}
		rows[r.route] = r
	}
	listed := map[string]bool{}
	for _, r := range s.app.RouteList() {
		listed[r] = true
		if _, ok := rows[r]; !ok {
			t.Errorf("route %s is missing from the authorisation matrix: add a row", r)
		}
	}
	for r := range rows {
		if !listed[r] {
			t.Errorf("matrix row %s names no route", r)
		}
	}
}

// mxMake makes owner's thread number n on board, with the owner's reply and
// a helper's, and a spare thread by the helper.
func mxMake(t *testing.T, s *site, board forum.Board, owner member, n int) mxObject {
	t.Helper()
	ctx := context.Background()
	helper := s.user(board.BrandID, fmt.Sprintf("mxh%d", n))
	th, err := s.svc.Ask(ctx, owner.actor, forum.NewThread{BoardID: board.ID, Title: fmt.Sprintf("Matrix thread number %d", n), Body: "A question to act on."})
	if err != nil {
		t.Fatal(err)
	}
	own, err := s.svc.Reply(ctx, owner.actor, th.ID, forum.NewReply{Body: "The owner's reply"})
	if err != nil {
		t.Fatal(err)
	}
	oth, err := s.svc.Reply(ctx, helper.actor, th.ID, forum.NewReply{Body: "Someone else's reply"})
	if err != nil {
		t.Fatal(err)
	}
	spare, err := s.svc.Ask(ctx, helper.actor, forum.NewThread{BoardID: board.ID, Title: fmt.Sprintf("Spare matrix thread %d", n), Body: "Another question here."})
	if err != nil {
		t.Fatal(err)
	}
	return mxObject{board: board, thread: th, reply: own.ID, username: owner.actor.Username, otherReply: oth.ID,
		spareThreadID: spare.ID, slug: th.Slug, boardSlug: board.Slug}
}

func idFor(tg mxTarget, o mxObject) string {
	switch tg {
	case mxBoard:
		return itoa(o.board.ID)
	case mxThread:
		return itoa(o.thread.ID)
	case mxPost:
		return itoa(o.reply)
	case mxToken:
		return "999999"
	case mxAPIToken:
		return itoa(o.apiToken)
	case mxArticle:
		return itoa(o.article.ID)
	}
	return ""
}

// mxArticleOf publishes an article drafted from the owner's thread (its
// other reply accepted), as the brand's editor would, with the owner as
// its proposer.
func mxArticleOf(t *testing.T, s *site, o mxObject, owner member, n int) kb.Article {
	t.Helper()
	ctx := context.Background()
	if _, err := s.svc.Accept(ctx, owner.actor, o.thread.ID, o.otherReply); err != nil {
		t.Fatal(err)
	}
	ed := s.user(o.board.BrandID, fmt.Sprintf("mxed%d", n), "editor")
	ks := kb.New(s.app.DB(), markup.NewRenderer(), s.svc, s.clock.Now)
	a, err := ks.Propose(ctx, ed.actor, kb.NewArticle{ThreadIDs: []int64{o.thread.ID}, BoardID: o.board.ID,
		Title: fmt.Sprintf("Matrix article %d", n), Body: "How the matrix was answered."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB().Exec(ctx, `UPDATE kb_articles SET proposer_id = ? WHERE id = ?`, owner.actor.UserID, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = ks.Publish(ctx, ed.actor, a.ID); err != nil {
		t.Fatal(err)
	}
	return a
}

// mxAPITokenOf makes another API token for m and returns its id.
func mxAPITokenOf(t *testing.T, s *site, m member) int64 {
	t.Helper()
	tk, _, err := s.members.IssueToken(context.Background(), m.actor.BrandID, m.actor.UserID, account.NewToken{Name: "matrix"})
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

func slugFor(tg mxTarget, o mxObject) string {
	if tg == mxBoard {
		return o.boardSlug
	}
	if tg == mxArticle {
		return o.article.Slug
	}
	return o.slug
}

// mxTry sends row's request on obj as who and checks the outcome against
// want: "allow" (not refused, not missing, no server error), "404" (another
// brand's object) or "deny" (refused, and nothing in the database changed).
func mxTry(t *testing.T, s *site, row mxRow, obj mxObject, n int, who mxAuth, want, name string) {
	t.Helper()
	method, path, _ := strings.Cut(row.route, " ")
	p := strings.NewReplacer(":id", idFor(row.target, obj), ":slug", slugFor(row.target, obj), ":username", obj.username,
		":role", "trusted", "*file", "app.css", ":token", "not-a-signed-token", ":act", "claim", ":file", "boards.xml", ":lang", "en").Replace(path)
	body := strings.NewReplacer("{board}", itoa(s.board.ID), "{thread}", itoa(obj.spareThreadID), "{reply}", itoa(obj.otherReply),
		"{other}", "mx_grantee", "{n}", itoa(int64(n))).Replace(row.body)
	if row.target == mxNone || row.target == mxToken {
		body = strings.NewReplacer("{thread}", "0", "{reply}", "0").Replace(body)
	}
	if row.route == "GET /static/*file" {
		p = "/static/nothing.css" // any asset name; 404 is the file, not the authorisation
	}
	before := mxDigest(t, s)
	code, loc := mxDo(s, who, method, p, body)
	after := mxDigest(t, s)
	refused := code == 401 || code == 403 || (code == 303 && strings.HasPrefix(loc, "/login"))
	// A bad token or asset name is the handler's 404, past the check.
	missing := code == 404 && row.route != "GET /static/*file" && row.target != mxToken
	switch want {
	case "allow":
		if refused || missing || code >= 500 {
			t.Errorf("%s: %d %s, want allowed", name, code, loc)
		}
	case "404":
		if code != 404 {
			t.Errorf("%s: %d, want 404 (another brand's object)", name, code)
		}
	default:
		// 404 is a refusal too where a route hides that its object
		// exists (reports: another brand's are not confirmed).
		if !refused && code != 404 {
			t.Errorf("%s: %d %s, want refused", name, code, loc)
		}
	}
	if want != "allow" && before != after {
		t.Errorf("%s: refused (%d) but the database changed", name, code)
	}
}

// mxAuth is who sends a matrix request: a bearer token, a session cookie
// with its CSRF token, or neither (a visitor, with a valid anonymous CSRF
// pair), so that only authorisation can refuse them.
type mxAuth struct{ bearer, session, csrf string }

// mxDo sends one request as who.
func mxDo(s *site, who mxAuth, method, path, body string) (int, string) {
	api := strings.HasPrefix(path, "/api/")
	csrf := who.csrf
	if who.bearer == "" && who.session == "" {
		csrf = strings.Repeat("a", 40)
	}
	if !api && method == http.MethodPost && who.bearer == "" {
		form := url.Values{}
		if body != "" {
			form, _ = url.ParseQuery(body)
		}
		form.Set("csrf", csrf)
		body = form.Encode()
	}
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		if api {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	req.Host = "localhost"
	req.RemoteAddr = "192.0.2.44:1234"
	switch {
	case who.bearer != "":
		req.Header.Set("Authorization", "Bearer "+who.bearer)
	case who.session != "":
		req.AddCookie(&http.Cookie{Name: "mutual_session", Value: who.session})
		req.Header.Set("X-CSRF-Token", csrf)
	default:
		req.AddCookie(&http.Cookie{Name: "mutual_csrf", Value: csrf})
		req.Header.Set("X-CSRF-Token", csrf)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location")
}
