// Package forumweb serves the forum itself: the home page, boards, the
// thread page with its reply form, asking, editing and its history,
// accepting an answer, kudos, member profiles, and the JSON API for all of
// them. Other capabilities' pieces of these pages (reputation's ranks and
// hints, the escalation slot) come through the interfaces below, which
// app/ fills.
package forumweb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
	"mutual/markup"
	"mutual/moderation"
	"mutual/reputation"
)

// Handlers are the forum's pages and API.
type Handlers struct {
	site    *web.Site
	limits  *web.Limits
	forum   *forum.Service
	members *account.Members
	md      *markup.Renderer
	mod     *moderation.Service
	rep     Reputation
	esc     Escalations

	// ReportSlot, when set, gives the thread page the reports capability's
	// slot ("Did this save you contacting us?" and "Contact us").
	ReportSlot func(c *gin.Context, t forum.Thread) any
	// Opened, when set, hears that a signed-in member is about to see a
	// thread page, so notifications that point there are read before the
	// page's bell is drawn. An error is logged; the page is shown anyway.
	Opened func(ctx context.Context, act account.Actor, threadID int64) error
	// Moderation, when set, fills the thread page's moderation slot (the
	// boards to move a thread to, the threads to merge it into).
	Moderation Moderations
	// AskOpened, when set, hears that a member opened the Ask form (the
	// deflection holdout records in which group).
	AskOpened func(c *gin.Context)
}

// Reputation is what the forum pages show of members' standing.
type Reputation interface {
	// ThreadPage loads a thread page in the order the request asks for,
	// authors ranked, with the reputation slot for the viewer.
	ThreadPage(c *gin.Context, id int64, cur forum.Cursor) (forum.ThreadPage, RepSlot, error)
	RankThreads(ctx context.Context, brandID int64, ts []forum.Thread) error
	Ranks(ctx context.Context, brandID int64) (reputation.Ladder, error)
	RankName(ctx context.Context, brandID, rep int64) string
	// TopHelpers are the rows of a board's top-helpers box.
	TopHelpers(ctx context.Context, bd forum.Board) any
	// Profile is a member's rank and the profile's reputation slot.
	Profile(ctx context.Context, brandID int64, u account.User) (rank string, slot any, err error)
	// PostingHint says what a new member may post while limits apply.
	PostingHint(ctx context.Context, actor account.Actor) (string, error)
}

// RepSlot is the thread page's reputation slot; the post bars read from it
// whether the viewer may edit others' posts, and from what reputation, and
// why the viewer cannot give kudos yet ("" when they can).
type RepSlot interface {
	EditOthers() (allowed bool, at string)
	KudosHeld() string
}

// Escalations puts the escalation slot on a thread page.
type Escalations interface {
	// ThreadSlot is the slot for the viewer, or nil for none.
	ThreadSlot(c *gin.Context, t forum.Thread) any
}

// Moderations puts the moderation slot on a thread page.
type Moderations interface {
	// ThreadSlot is the slot for the viewer, or nil for none.
	ThreadSlot(c *gin.Context, t forum.Thread) (any, error)
}

// Services are the domain services the forum pages use.
type Services struct {
	Forum      *forum.Service
	Members    *account.Members
	Markdown   *markup.Renderer
	Moderation *moderation.Service
}

// New builds the forum handlers.
func New(site *web.Site, limits *web.Limits, s Services, rep Reputation, esc Escalations) *Handlers {
	h := &Handlers{site: site, limits: limits, forum: s.Forum, members: s.Members, md: s.Markdown, mod: s.Moderation, rep: rep, esc: esc}
	// Other capabilities' forms on the thread page (flags, kudos, moderation,
	// escalation) come back to it when refused.
	site.Redraws("thread", h.redrawThread)
	return h
}

// newClientKey is a fresh key for a form, so a post sent twice is stored once.
func newClientKey() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return strconv.FormatInt(time.Now().UnixNano(), 36) + hex.EncodeToString(b)[:8]
}
