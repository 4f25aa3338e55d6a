package forumweb

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/lang"
)

type askView struct {
	Boards    []forum.Board
	BoardID   int64
	Title     string
	Body      string
	ClientKey string
	Language  string          // the language the question is asked in (the select's choice)
	Languages []lang.Language // the select's choices
	Errors    map[string]string
	Preview   string // sanitised HTML; the template marks it safe with sanitized

	Similar        []forum.Thread // similar solved questions (the discovery capability's check)
	CheckedSimilar bool

	PostingHint string // what new members may post, while it applies
}

func (h *Handlers) askPage(c *gin.Context, code int, v askView) {
	boards, err := h.forum.Boards(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Boards = boards
	if v.PostingHint, err = h.rep.PostingHint(c.Request.Context(), web.ActorOf(c)); err != nil {
		h.site.Fail(c, err)
		return
	}
	if v.ClientKey == "" {
		v.ClientKey = newClientKey()
	}
	if v.Language == "" {
		v.Language = web.ContentLanguage(c)
	}
	v.Languages = lang.Known()
	h.site.Render(c, code, "ask", web.T(c, "title.ask"), v)
}

// Draft is a question being asked, as the Ask form sent it, and the similar
// solved questions found for it.
type Draft struct {
	BoardID                          int64
	Title, Body, ClientKey, Language string
	Similar                          []forum.Thread
}

// AskAgain shows the Ask form as typed, with similar solved questions (the
// discovery capability's check for browsers without JavaScript).
func (h *Handlers) AskAgain(c *gin.Context, d Draft) {
	h.askPage(c, http.StatusOK, askView{BoardID: d.BoardID, Title: d.Title, Body: d.Body, ClientKey: d.ClientKey,
		Language: d.Language, Similar: d.Similar, CheckedSimilar: true})
}

func (h *Handlers) askForm(c *gin.Context) {
	bid, _ := strconv.ParseInt(c.Query("board"), 10, 64)
	if h.AskOpened != nil {
		h.AskOpened(c)
	}
	h.askPage(c, http.StatusOK, askView{BoardID: bid})
}

func (h *Handlers) ask(c *gin.Context) {
	bid, _ := strconv.ParseInt(c.PostForm("board_id"), 10, 64)
	v := askView{BoardID: bid, Title: c.PostForm("title"), Body: c.PostForm("body"), ClientKey: c.PostForm("client_key"),
		Language: c.PostForm("language")}
	if c.PostForm("preview") != "" {
		html, err := h.md.Render(v.Body)
		var ve *fault.ValidationError
		switch {
		case errors.As(err, &ve): // shown on the form, with what was typed
			v.Errors = ve.Fields
			h.askPage(c, http.StatusUnprocessableEntity, v)
		case err != nil:
			h.site.Fail(c, err)
		default:
			v.Preview = html
			h.askPage(c, http.StatusOK, v)
		}
		return
	}
	t, err := h.forum.Ask(c.Request.Context(), web.ActorOf(c), forum.NewThread{BoardID: bid, Title: v.Title, Body: v.Body, ClientKey: v.ClientKey,
		Language: v.Language})
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		h.askPage(c, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "asked")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}
