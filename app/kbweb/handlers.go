// Package kbweb serves the knowledge base: the published articles and each
// article's page, proposing an article from solved threads, editing it and
// its history, the editors' review (submit, publish, return, reviewed) and
// queue, readers' "this is out of date" reports, and the articles API. The
// articles themselves are package kb's.
package kbweb

import (
	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/kb"
)

// Handlers are the knowledge-base pages and API.
type Handlers struct {
	site   *web.Site
	limits *web.Limits
	kb     *kb.Service
	forum  *forum.Service

	// CountView, when set, counts an article page's readers for the
	// deflection report (reportweb's CountArticleView).
	CountView gin.HandlerFunc
}

// New builds the knowledge-base handlers.
func New(site *web.Site, limits *web.Limits, ks *kb.Service, fs *forum.Service) *Handlers {
	h := &Handlers{site: site, limits: limits, kb: ks, forum: fs}
	site.Redraws("kb_article", h.redrawArticle)
	return h
}
