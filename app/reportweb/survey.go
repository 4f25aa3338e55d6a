package reportweb

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/report/deflection"
)

type surveyView struct {
	ThreadID int64
	Title    string
	URL      string
	Answer   string // what they chose on the thread page: yes or no
	Current  string // what is stored
	CSRF     string
}

// surveyForm is where the thread page's yes/no buttons lead for a
// visitor whose page came from the cache (and so carries no form token): it
// asks them to confirm, with a token.
func (h *Handlers) surveyForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t, err := h.forum.Thread(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rd, err := h.reader(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cur, err := deflection.SurveyAnswer(ctx, h.db, t.BrandID, t.ID, rd.Key)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ans := c.Query("answer")
	if ans != "yes" && ans != "no" {
		ans = ""
	}
	h.site.Render(c, http.StatusOK, "report_survey", "Did this save you contacting us?", surveyView{ThreadID: t.ID, Title: t.Title, URL: web.ThreadURL(t), Answer: ans, Current: cur, CSRF: h.site.CSRFToken(c)})
}

func (h *Handlers) surveySave(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ans := c.PostForm("answer")
	if ans != "yes" && ans != "no" {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"answer": "Answer yes or no."}})
		return
	}
	rd, err := h.reader(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := deflection.AnswerSurvey(ctx, h.db, web.BrandOf(c).ID, id, rd, ans == "yes", h.now()); err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "report_survey", "Thanks for your answer", surveyView{ThreadID: t.ID, Title: t.Title, URL: web.ThreadURL(t), Current: ans})
}

// contact sends a reader to the brand's contact page, counting the click.
func (h *Handlers) contact(c *gin.Context) {
	var from int64
	if v := c.Query("from"); v != "" {
		from, _ = strconv.ParseInt(v, 10, 64)
	}
	rd, err := h.reader(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	target, err := deflection.RecordContact(c.Request.Context(), h.db, web.BrandOf(c).ID, max(from, 0), rd, h.now())
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, target)
}
