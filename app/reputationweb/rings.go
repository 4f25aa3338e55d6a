package reputationweb

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/reputation"
)

// RunRings looks for kudos rings in every brand, at most once an hour
// across all instances (claimed through the jobs table).
func (h *Handlers) RunRings(ctx context.Context) error {
	const name = "reputation-rings"
	ok, err := h.claim(ctx, name)
	if err != nil || !ok {
		return err
	}
	brands, err := h.brands.All(ctx)
	var runErr error
	if err != nil {
		runErr = err
	}
	for _, b := range brands {
		if n, err := reputation.DetectRings(ctx, h.db, b.ID, h.now()); err != nil {
			runErr = err
			break
		} else if n > 0 {
			h.log.Info("kudos rings", "brand", b.ID, "count", n)
		}
	}
	return errors.Join(runErr, h.finish(ctx, name, h.now().Add(time.Hour), runErr))
}

// ringsPage lists kudos rings for moderators.
func (h *Handlers) ringsPage(c *gin.Context) { h.ringsRender(c, http.StatusOK, 0) }

// ringsRender draws the rings page; a refused review comes back to it with
// its note kept (Site.Refuse).
func (h *Handlers) ringsRender(c *gin.Context, code int, _ int64) {
	status := c.DefaultQuery("status", reputation.RingOpen)
	if status == "all" {
		status = ""
	}
	rings, err := reputation.Rings(c.Request.Context(), h.db, web.BrandOf(c).ID, status, 100)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if status == "" {
		status = "all"
	}
	h.site.Render(c, code, "reputation_rings", web.T(c, "title.rings"), struct {
		Status string
		Rings  []reputation.Ring
		Found  string
	}{status, rings, c.Query("found")})
}

func (h *Handlers) ringReview(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	err = reputation.ReviewRing(c.Request.Context(), h.db, web.BrandOf(c).ID, id, web.ActorOf(c).UserID, c.PostForm("status"), c.PostForm("note"), h.now())
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "rings", Name: "ring", ID: id, Fields: []string{"note"}}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/mod/reputation/rings")
}

func (h *Handlers) ringScan(c *gin.Context) {
	n, err := reputation.DetectRings(c.Request.Context(), h.db, web.BrandOf(c).ID, h.now())
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "rings", Name: "scan"}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/mod/reputation/rings?found="+strconv.Itoa(n))
}

// apiRing is a kudos ring in the API.
type apiRing struct {
	ID          int64       `json:"id"`
	Status      string      `json:"status"`
	Members     []apiMember `json:"members"`
	KudosInside int64       `json:"kudos_inside"`
	KudosGiven  int64       `json:"kudos_given"`
	SharePct    int64       `json:"share_pct"`
	FirstAt     time.Time   `json:"first_at"`
	LastAt      time.Time   `json:"last_at"`
	DetectedAt  time.Time   `json:"detected_at"`
	ReviewedBy  *string     `json:"reviewed_by"`
	ReviewedAt  *time.Time  `json:"reviewed_at"`
	Note        string      `json:"note"`
}

func toAPIRing(g reputation.Ring) apiRing {
	r := apiRing{ID: g.ID, Status: g.Status, KudosInside: g.KudosInside, KudosGiven: g.KudosGiven, SharePct: g.SharePct(),
		FirstAt: g.FirstAt, LastAt: g.LastAt, DetectedAt: g.DetectedAt, Note: g.Note}
	if !g.ReviewedAt.IsZero() {
		at := g.ReviewedAt
		r.ReviewedAt = &at
	}
	if g.ReviewedBy != "" {
		by := g.ReviewedBy
		r.ReviewedBy = &by
	}
	for _, m := range g.Members {
		rep := m.Reputation
		r.Members = append(r.Members, apiMember{ID: m.UserID, Username: m.Username, Reputation: &rep})
	}
	return r
}

// apiRings is GET /api/v1/reputation/rings?status=open|dismissed|confirmed|all.
func (h *Handlers) apiRings(c *gin.Context) {
	status := c.DefaultQuery("status", reputation.RingOpen)
	switch status {
	case "all":
		status = ""
	case reputation.RingOpen, reputation.RingDismissed, reputation.RingConfirmed:
	default:
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"status": web.T(c, "apimsg.ring_status_all")}})
		return
	}
	rings, err := reputation.Rings(c.Request.Context(), h.db, web.BrandOf(c).ID, status, 100)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	items := make([]apiRing, 0, len(rings))
	for _, g := range rings {
		items = append(items, toAPIRing(g))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next": nil})
}

// apiRingReview is PATCH /api/v1/reputation/rings/:id {"status", "note"}.
func (h *Handlers) apiRingReview(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	b := web.BrandOf(c)
	if err := reputation.ReviewRing(c.Request.Context(), h.db, b.ID, id, web.ActorOf(c).UserID, in.Status, in.Note, h.now()); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "status": in.Status, "note": in.Note})
}

// apiRingScan is POST /api/v1/reputation/rings/scan: look for rings now.
func (h *Handlers) apiRingScan(c *gin.Context) {
	n, err := reputation.DetectRings(c.Request.Context(), h.db, web.BrandOf(c).ID, h.now())
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"rings": n, "scanned_at": h.now().UTC().Format(time.RFC3339)})
}
