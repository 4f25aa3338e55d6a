package reputationweb

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/reputation"
)

// Privilege is one privilege and whether the member holds it.
type Privilege struct {
	Name string
	At   string // "1,000"
	Has  bool
}

// ProfileView is the reputation part of a profile page.
type ProfileView struct {
	Username   string
	Reputation int64
	Rank       string
	NextRank   string
	ToNext     string
	Ledger     []reputation.Entry
	More       string // cursor of the ledger's next page
	Privileges []Privilege
}

// Profile is the reputation part of u's profile page: rank, the way to the
// next, privileges held and the ledger's first page.
func (h *Handlers) Profile(ctx context.Context, brandID int64, u account.User) (ProfileView, error) {
	cfg, err := h.config(ctx, brandID)
	if err != nil {
		return ProfileView{}, err
	}
	v := ProfileView{Username: u.Username, Reputation: u.Reputation, Rank: cfg.Rank(u.Reputation).Name}
	if next, ok := cfg.NextRank(u.Reputation); ok {
		v.NextRank, v.ToNext = next.Name, i18n.From(ctx).Int(next.Min-u.Reputation)
	}
	v.Privileges = privileges(i18n.From(ctx), u.Reputation, cfg.Privileges)
	entries, next, err := reputation.Ledger(ctx, h.db, brandID, u.ID, reputation.Cursor{}, 10)
	if err != nil {
		return ProfileView{}, err
	}
	v.Ledger, v.More = entries, next.String()
	return v, nil
}

// privileges lists what reputation unlocks and whether rep reaches it.
func privileges(loc *i18n.Localizer, rep int64, p reputation.Privileges) []Privilege {
	// Everyone may post a few links and images (forum.NewMemberLinks,
	// NewMemberImages); reputation lifts the limit.
	var out []Privilege
	for _, x := range []struct {
		name string
		at   int64
	}{
		{loc.T("ledger.priv_links", "What", loc.N("rep.n_links", forum.NewMemberLinks)), p.Links},
		{loc.T("ledger.priv_links", "What", loc.N("rep.n_images", forum.NewMemberImages)), p.Images},
		{loc.T("ledger.priv_flags"), p.Trusted},
		{loc.T("ledger.priv_edit"), p.EditOthers},
	} {
		out = append(out, Privilege{Name: x.name, At: loc.Int(x.at), Has: rep >= x.at})
	}
	return out
}

// apiUser is a member's reputation in GET /api/v1/users/:username.
type apiUser struct {
	ID         int64     `json:"id"`
	Username   string    `json:"username"`
	Reputation int64     `json:"reputation"`
	Rank       string    `json:"rank"`
	NextRank   *string   `json:"next_rank"`
	NextRankAt *int64    `json:"next_rank_at"`
	CreatedAt  time.Time `json:"created_at"`
	URL        string    `json:"url"`
}

// userByName is the member named in the path and the brand's configuration;
// on failure it has answered and returns false.
func (h *Handlers) userByName(c *gin.Context) (account.User, reputation.Config, bool) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	u, err := h.members.ByUsername(ctx, b.ID, c.Param("username"))
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = account.NoSuchMember(c.Param("username"))
		}
		h.site.Fail(c, err)
		return account.User{}, reputation.Config{}, false
	}
	cfg, err := h.config(ctx, b.ID)
	if err != nil {
		h.site.Fail(c, err)
		return account.User{}, reputation.Config{}, false
	}
	return u, cfg, true
}

// apiUserGet is GET /api/v1/users/:username.
func (h *Handlers) apiUserGet(c *gin.Context) {
	u, cfg, ok := h.userByName(c)
	if !ok {
		return
	}
	out := apiUser{ID: u.ID, Username: u.Username, Reputation: u.Reputation, Rank: cfg.Rank(u.Reputation).Name,
		CreatedAt: u.CreatedAt, URL: "/u/" + u.Username}
	if next, ok := cfg.NextRank(u.Reputation); ok {
		out.NextRank, out.NextRankAt = &next.Name, &next.Min
	}
	c.JSON(http.StatusOK, out)
}
