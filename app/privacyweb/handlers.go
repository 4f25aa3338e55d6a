// Package privacyweb serves members' data rights: a member's privacy page
// (download everything the community holds about them, delete their
// account), an administrator's privacy page (the brand's erasure policy,
// any member's export and erasure), and the same as API. The work itself
// is privacy.Service's.
package privacyweb

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/privacy"
)

// Handlers are the privacy pages and API.
type Handlers struct {
	site    *web.Site
	limits  *web.Limits
	privacy *privacy.Service
}

// New builds the privacy handlers.
func New(site *web.Site, limits *web.Limits, svc *privacy.Service) *Handlers {
	return &Handlers{site: site, limits: limits, privacy: svc}
}

// Routes registers the privacy pages and API. Every route names its
// permission here; a member's own data needs account_data, anyone else's
// member_data (administrators only).
func (h *Handlers) Routes(b, api *gin.RouterGroup) {
	// A password is tried here as at sign-in, so it is limited the same way.
	tries := h.site.ThrottleWindow(h.limits.LoginUser, web.UserKey)

	b.GET("/settings/privacy", h.site.Need("account_data", "export"), h.ownPage)
	b.GET("/settings/privacy/export", h.site.Need("account_data", "export"), h.ownExport)
	b.POST("/settings/privacy/delete", h.site.Need("account_data", "erase"), tries, h.deleteOwn)
	b.GET("/admin/privacy", h.site.Need("privacy", "manage"), h.adminPage)
	b.POST("/admin/privacy", h.site.Need("privacy", "manage"), h.adminSave)
	b.GET("/admin/privacy/users/:username", h.site.Need("member_data", "erase"), h.memberPage)
	b.GET("/admin/privacy/users/:username/export", h.site.Need("member_data", "export"), h.memberExport)
	b.POST("/admin/privacy/users/:username/erase", h.site.Need("member_data", "erase"), h.memberErase)

	api.GET("/me/export", h.site.Need("account_data", "export"), h.ownExportAPI)
	api.DELETE("/me", h.site.Need("account_data", "erase"), tries, h.deleteOwnAPI)
	api.GET("/users/:username/export", h.site.Need("member_data", "export"), h.memberExportAPI)
	api.POST("/users/:username/erase", h.site.Need("member_data", "erase"), h.memberEraseAPI)
	api.GET("/privacy/settings", h.site.Need("privacy", "manage"), h.settingsAPI)
	api.PUT("/privacy/settings", h.site.Need("privacy", "manage"), h.settingsPutAPI)
}

// download sends an archive as a JSON file to save.
func (h *Handlers) download(c *gin.Context, ar privacy.Archive, username string) {
	body, err := json.MarshalIndent(ar, "", "  ")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	name := fileSafe(ar.Community.Host + "-" + username + "-data-" + ar.GeneratedAt.Format("20060102") + ".json")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// fileSafe keeps a file name to letters, digits, dots, dashes and underscores.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}
