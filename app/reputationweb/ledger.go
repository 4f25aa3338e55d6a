package reputationweb

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/i18n"
	"mutual/reputation"
)

// ledgerPage is a member's whole ledger, page by page.
func (h *Handlers) ledgerPage(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	u, err := h.members.ByUsername(ctx, b.ID, c.Param("username"))
	if errors.Is(err, fault.ErrNotFound) {
		err = account.NoSuchMember(c.Param("username"))
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cur, err := reputation.ParseCursor(c.Request.Context(), c.Query("after"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	entries, next, err := reputation.Ledger(ctx, h.db, b.ID, u.ID, cur, 50)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "reputation_ledger", web.T(c, "title.ledger", "Name", u.Username), struct {
		User    account.User
		Rank    string
		Entries []reputation.Entry
		Next    string
		First   bool
	}{u, h.RankName(ctx, b.ID, u.Reputation), entries, next.String(), cur.ID == 0})
}

// apiEntry is one ledger line in the API.
type apiEntry struct {
	ID          int64      `json:"id"`
	Delta       int64      `json:"delta"`
	Reason      string     `json:"reason"`
	Origin      string     `json:"origin"`
	Description string     `json:"description"`
	PostID      *int64     `json:"post_id"`
	Actor       *apiMember `json:"actor"`
	Thread      *apiThread `json:"thread"`
	CreatedAt   time.Time  `json:"created_at"`
}

// apiThread is the thread a ledger line's post is in.
type apiThread struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// apiLedger is GET /api/v1/users/:username/reputation.
func (h *Handlers) apiLedger(c *gin.Context) {
	u, _, ok := h.userByName(c)
	if !ok {
		return
	}
	cur, err := reputation.ParseCursor(c.Request.Context(), c.Query("cursor"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	limit, err := queryLimit(c, 30)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	entries, next, err := reputation.Ledger(c.Request.Context(), h.db, u.BrandID, u.ID, cur, limit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	items := make([]apiEntry, 0, len(entries))
	for _, e := range entries {
		items = append(items, toAPIEntry(web.LocalizerOf(c), e))
	}
	var more *string
	if s := next.String(); s != "" {
		more = &s
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next": more})
}

func toAPIEntry(loc *i18n.Localizer, e reputation.Entry) apiEntry {
	item := apiEntry{ID: e.ID, Delta: e.Delta, Reason: string(e.Reason), Origin: string(e.Origin), Description: e.Describe(loc), CreatedAt: e.At}
	if e.PostID != 0 {
		id := e.PostID
		item.PostID = &id
	}
	if e.ActorID != 0 {
		item.Actor = &apiMember{ID: e.ActorID, Username: e.ActorName}
	}
	if e.ThreadTitle != "" {
		item.Thread = &apiThread{ID: e.ThreadID, Title: e.ThreadTitle, URL: "/t/" + web.Itoa(e.ThreadID) + "/" + e.ThreadSlug + "#p" + web.Itoa(e.PostID)}
	}
	return item
}
