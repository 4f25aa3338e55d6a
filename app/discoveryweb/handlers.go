// Package discoveryweb is how questions are found: the search page and API,
// similar solved questions while asking, and what search engines and feed
// readers see (the thread page's canonical link, OpenGraph and QAPage data,
// robots.txt, sitemaps, Atom feeds).
package discoveryweb

import (
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/search"
)

// Handlers are the discovery pages and API.
type Handlers struct {
	site   *web.Site
	limits *web.Limits
	forum  *forum.Service
	search *search.Service
	now    func() time.Time
	with   With
}

// With is what discovery borrows from the pages around it: app/ wires in
// the forum's and reputation's pieces.
type With struct {
	// AskAgain shows the Ask form again as the member typed it, with the
	// similar solved questions listed above its buttons.
	AskAgain func(c *gin.Context, d Draft)
	// HeldOut, when set, says the asker is in the deflection holdout: they
	// are shown no suggestions while asking, so the report can measure what
	// suggestions change.
	HeldOut func(c *gin.Context) bool
}

// heldOut reports whether this asker is shown no suggestions.
func (h *Handlers) heldOut(c *gin.Context) bool { return h.with.HeldOut != nil && h.with.HeldOut(c) }

// Draft is a question being asked, as the Ask form sent it.
type Draft struct {
	BoardID                          int64
	Title, Body, ClientKey, Language string
	Similar                          []forum.Thread // similar solved questions, those in Language first
}

// New builds the discovery handlers.
func New(site *web.Site, limits *web.Limits, fs *forum.Service, ss *search.Service, now func() time.Time, with With) *Handlers {
	return &Handlers{site: site, limits: limits, forum: fs, search: ss, now: now, with: with}
}
