package reputationweb

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/reputation"
)

// exportRange reads ?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive).
func exportRange(c *gin.Context) (time.Time, time.Time, error) {
	from, err := reputation.ParseDate("from", c.Query("from"))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := reputation.ParseDate("to", c.Query("to"))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if to.Before(from) {
		return time.Time{}, time.Time{}, &fault.ValidationError{Fields: map[string]string{"to": web.T(c, "apimsg.end_before_start")}}
	}
	return from, to.Add(24 * time.Hour), nil
}

// exportForm is the export page's form.
type exportForm struct {
	From, To string
	Errors   map[string]string
}

// exportPage is the admin's payback export: a form, and with from and to
// the CSV download.
func (h *Handlers) exportPage(c *gin.Context) {
	if c.Query("from") == "" && c.Query("to") == "" {
		// Last month, by default.
		now := h.now().UTC()
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		h.site.Render(c, http.StatusOK, "reputation_export", web.T(c, "title.payback"),
			exportForm{first.AddDate(0, -1, 0).Format("2006-01-02"), first.AddDate(0, 0, -1).Format("2006-01-02"), nil})
		return
	}
	from, to, err := exportRange(c)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		h.site.Render(c, http.StatusUnprocessableEntity, "reputation_export", web.T(c, "title.payback"), exportForm{c.Query("from"), c.Query("to"), ve.Fields})
		return
	}
	h.writeExport(c, from, to, err)
}

// apiExport is GET /api/v1/reputation/export?from=&to= (CSV).
func (h *Handlers) apiExport(c *gin.Context) {
	from, to, err := exportRange(c)
	h.writeExport(c, from, to, err)
}

func (h *Handlers) writeExport(c *gin.Context, from, to time.Time, err error) {
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	b := web.BrandOf(c)
	rows, err := reputation.Export(c.Request.Context(), h.db, b.ID, from, to)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	name := fmt.Sprintf("reputation-%s-%s-to-%s.csv", strings.ReplaceAll(b.Host, ":", "_"), from.Format("2006-01-02"), to.Add(-time.Hour).Format("2006-01-02"))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := reputation.WriteCSV(c.Writer, rows); err != nil {
		h.log.Error("reputation export", "request_id", web.RequestID(c), "err", err)
	}
}
