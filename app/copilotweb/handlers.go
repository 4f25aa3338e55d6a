// Package copilotweb serves the agent copilot: an escalation's grounded
// help (the solved threads most like the question, the passage of each most
// likely to answer, a drafted reply the agent edits and posts) and the
// administrators' page for the brand's optional model.
package copilotweb

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/copilot"
	"mutual/escalation"
)

// Handlers are the copilot's pages and API.
type Handlers struct {
	site        *web.Site
	copilot     *copilot.Service
	escalations *escalation.Service
}

// New builds the copilot handlers.
func New(site *web.Site, c *copilot.Service, e *escalation.Service) *Handlers {
	return &Handlers{site: site, copilot: c, escalations: e}
}

// Routes registers the help page, its API and the settings page.
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	b.GET("/escalations/:id/help", h.site.Need("escalation", "work"), h.helpPage)
	api.GET("/escalations/:id/help", h.site.Need("escalation", "work"), h.helpAPI)
	b.GET("/admin/copilot", h.site.Need("brand", "manage"), h.settingsPage)
	b.POST("/admin/copilot", h.site.Need("brand", "manage"), h.saveSettings)
}

// help is an escalation's grounded help: its question, the sources and a
// draft (from one source when the agent picked it, by the brand's model
// when asked).
type help struct {
	Escalation escalation.Escalation
	Sources    []copilot.Source
	Draft      copilot.Draft
	Picked     int64 // the source the draft uses alone; 0 for all
	ModelOn    bool  // the brand has a model to word drafts
	AskedModel bool
}

func (h *Handlers) help(c *gin.Context) (help, error) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return help{}, err
	}
	ctx, brandID := c.Request.Context(), web.ActorOf(c).BrandID
	x, err := h.escalations.Get(ctx, brandID, id)
	if err != nil {
		return help{}, err
	}
	q, err := h.copilot.QuestionOf(ctx, brandID, x.ThreadID)
	if err != nil {
		return help{}, err
	}
	v := help{Escalation: x, AskedModel: c.Query("model") == "1"}
	if v.Sources, err = h.copilot.Sources(ctx, q, copilot.Limit); err != nil {
		return help{}, err
	}
	use := v.Sources
	if picked, _ := strconv.ParseInt(c.Query("use"), 10, 64); picked != 0 {
		use = pick(v.Sources, picked)
		v.Picked = picked
	}
	set, err := h.copilot.Settings(ctx, brandID)
	if err != nil {
		return help{}, err
	}
	v.ModelOn = set.On()
	if v.AskedModel {
		v.Draft, err = h.copilot.Draft(ctx, q, use)
	} else {
		v.Draft = copilot.Quote(ctx, use)
	}
	return v, err
}

// pick is the source with the thread id, alone (all of them when it is not
// among them: the page was reloaded after the sources changed).
func pick(srcs []copilot.Source, threadID int64) []copilot.Source {
	for _, s := range srcs {
		if s.ThreadID == threadID {
			return []copilot.Source{s}
		}
	}
	return srcs
}

func (h *Handlers) helpPage(c *gin.Context) {
	v, err := h.help(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "copilot_help", web.T(c, "copilot.title_help", "ID", v.Escalation.ID), v)
}

type sourceJSON struct {
	ThreadID int64   `json:"thread_id"`
	Title    string  `json:"title"`
	URL      string  `json:"url"`
	Passage  string  `json:"passage"`
	Score    float64 `json:"score"`
	Match    float64 `json:"match_percent"`
}

func (h *Handlers) helpAPI(c *gin.Context) {
	v, err := h.help(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	srcs := make([]sourceJSON, len(v.Sources))
	for i, s := range v.Sources {
		srcs[i] = sourceJSON{ThreadID: s.ThreadID, Title: s.Title, URL: s.URL(), Passage: s.Passage, Score: s.Score, Match: s.Match()}
	}
	c.JSON(http.StatusOK, gin.H{"escalation_id": v.Escalation.ID, "thread_id": v.Escalation.ThreadID, "sources": srcs,
		"draft": gin.H{"text": v.Draft.Text, "by_model": v.Draft.ByModel, "fallback": v.Draft.Fallback}})
}
