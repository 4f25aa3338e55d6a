package reportweb

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/report/deflection"
	"mutual/sqldb"
)

// HeldOut reports whether the signed-in asker is in the brand's holdout:
// the Ask page then suggests nothing to them (discovery asks).
func (h *Handlers) HeldOut(c *gin.Context) bool {
	a := web.ActorOf(c)
	if !a.SignedIn() {
		return false
	}
	bp, err := deflection.HoldoutBP(c.Request.Context(), h.db, a.BrandID)
	if err != nil {
		h.log.Error("holdout share", "err", err)
		return false
	}
	return bp > 0 && deflection.Assign(a.BrandID, deflection.AskerKey(a.UserID), bp) == deflection.ArmHeldOut
}

// AskOpened records, while the brand runs a holdout, that a member opened
// the Ask form and in which group (the forum pages tell it). A failure is
// logged: the member still asks.
func (h *Handlers) AskOpened(c *gin.Context) {
	a, ctx := web.ActorOf(c), c.Request.Context()
	if !a.SignedIn() {
		return
	}
	bp, err := deflection.HoldoutBP(ctx, h.db, a.BrandID)
	if err == nil && bp > 0 {
		asker := deflection.AskerKey(a.UserID)
		err = deflection.RecordOpened(ctx, h.db, a.BrandID, asker, deflection.Assign(a.BrandID, asker, bp), h.now())
	}
	if err != nil && ctx.Err() == nil {
		h.log.Error("holdout: ask form opened", "err", err)
	}
}

// holdoutSave sets the share of askers held out, from the settings page;
// the change is in the audit log.
func (h *Handlers) holdoutSave(c *gin.Context) {
	ctx, a := c.Request.Context(), web.ActorOf(c)
	typed := c.PostForm("holdout")
	bp, err := deflection.ParseHoldout(ctx, typed)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		h.renderSettings(c, http.StatusUnprocessableEntity, settingsView{Holdout: typed, HoldoutError: ve.Fields["holdout"]})
		return
	}
	err = h.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := deflection.HoldoutBP(ctx, tx, a.BrandID)
		if err != nil {
			return err
		}
		if err := deflection.SetHoldout(ctx, tx, a.BrandID, bp, h.now()); err != nil {
			return err
		}
		return moderation.RecordIntegrationAct(ctx, tx, moderation.IntegrationEntry{BrandID: a.BrandID, ActorID: a.UserID,
			Act: moderation.ActSettingsChanged, TargetType: "brand", TargetID: a.BrandID, Reason: "deflection holdout",
			Before: map[string]any{"holdout_bp": before}, After: map[string]any{"holdout_bp": bp}}, h.now())
	})
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports/deflection/settings?holdout=saved#holdout")
}

// holdoutSpan is the report period's events: from its first day to the end
// of its last.
func holdoutSpan(q deflection.Query) (time.Time, time.Time) { return q.From, q.To.AddDate(0, 0, 1) }

// holdoutOf estimates the holdout's effect over the report's period.
func (h *Handlers) holdoutOf(c *gin.Context, q deflection.Query) (deflection.HoldoutEstimate, error) {
	from, to := holdoutSpan(q)
	events, err := deflection.Exposures(c.Request.Context(), h.db, q.BrandID, from, to)
	if err != nil {
		return deflection.HoldoutEstimate{}, err
	}
	return deflection.Analyse(events), nil
}

// holdoutCSV exports the period's raw holdout events, from which every
// figure of the holdout section can be made again (docs/deflection.md).
func (h *Handlers) holdoutCSV(c *gin.Context) {
	q, _, err := h.query(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	from, to := holdoutSpan(q)
	events, err := deflection.Exposures(c.Request.Context(), h.db, q.BrandID, from, to)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"id", "at", "asker", "group", "event", "thread_id"})
	for _, e := range events {
		thread := ""
		if e.ThreadID != 0 {
			thread = strconv.FormatInt(e.ThreadID, 10)
		}
		_ = w.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), e.Asker, e.Arm, e.Event, thread})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="holdout-%s-to-%s.csv"`, q.From.Format(time.DateOnly), q.To.Format(time.DateOnly)))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// holdoutView is the report's holdout section, worded for the reader.
type holdoutView struct {
	Verdict string // deflection.HoldoutOff, ...
	Result  string // what the figures say, plainly
	Groups  []holdoutRow
}

type holdoutRow struct{ Group, Askers, Posted, Rate string }

func holdoutSection(loc *i18n.Localizer, e deflection.HoldoutEstimate) holdoutView {
	v := holdoutView{Verdict: e.Verdict}
	row := func(key string, g deflection.HoldoutGroup) holdoutRow {
		return holdoutRow{Group: loc.T(key), Askers: loc.Int(int64(g.Askers)), Posted: loc.Int(int64(g.Posted)), Rate: loc.Percent(100 * g.Rate)}
	}
	v.Groups = []holdoutRow{row("loop.group_shown", e.Shown), row("loop.group_held", e.HeldOut)}
	threads := func(f float64) string { return loc.Float(f, 0) }
	switch e.Verdict {
	case deflection.HoldoutMeasured:
		v.Result = loc.T("loop.holdout_measured", "N", threads(e.Deflected), "Low", threads(e.DeflLow), "High", threads(e.DeflHigh))
	case deflection.HoldoutUnclear:
		v.Result = loc.T("loop.holdout_unclear", "N", threads(e.Deflected), "Low", threads(e.DeflLow), "High", threads(e.DeflHigh))
	case deflection.HoldoutTooSmall:
		v.Result = loc.T("loop.holdout_too_small", "Min", deflection.MinGroup, "Count", deflection.MinCount, "N", e.HeldOut.Askers)
	}
	return v
}
