package brandweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/themes/palette"
)

// pageView is the brand settings form and its colour preview.
type pageView struct {
	Look   forum.BrandLook
	Errors map[string]string
	// Preview is true when the colours shown are the form's, not yet saved.
	Preview bool
	// Scheme and Pairs are the readable colours derived from the form's
	// colours and how each pair reads; empty while a colour is wrong.
	Scheme *palette.Scheme
	Pairs  []palette.Pair
	// Swatches are the form's two colours as typed, when they parse.
	Primary, Accent *palette.RGB
	Saved           bool
}

func (h *Handlers) page(c *gin.Context) {
	b, err := h.brands.ByID(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.render(c, http.StatusOK, pageView{Look: forum.LookOf(b), Saved: c.Query("saved") == "1"})
}

// save stores the look, or with op=preview only shows what its colours
// would give. A wrong field shows the form again (422) with what was typed.
func (h *Handlers) save(c *gin.Context) {
	look := forum.BrandLook{Name: c.PostForm("name"), Tagline: c.PostForm("tagline"), LogoURL: c.PostForm("logo_url"),
		ColorPrimary: c.PostForm("color_primary"), ColorAccent: c.PostForm("color_accent")}.Tidy()
	if c.PostForm("op") == "preview" {
		v := pageView{Look: look, Preview: true}
		code := http.StatusOK
		var ve *fault.ValidationError
		if err := look.Check(c.Request.Context()); errors.As(err, &ve) {
			v.Errors, code = ve.Fields, http.StatusUnprocessableEntity
		}
		h.render(c, code, v)
		return
	}
	err := h.mod.UpdateBrand(c.Request.Context(), web.ActorOf(c), look)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		h.render(c, http.StatusUnprocessableEntity, pageView{Look: look, Errors: ve.Fields, Preview: true})
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.BrandChanged()
	c.Redirect(http.StatusSeeOther, "/admin/brand?saved=1")
}

// render shows the page, deriving the preview from the look's colours
// when both parse.
func (h *Handlers) render(c *gin.Context, code int, v pageView) {
	if p, err := palette.Parse(v.Look.ColorPrimary); err == nil {
		v.Primary = &p
	}
	if a, err := palette.Parse(v.Look.ColorAccent); err == nil {
		v.Accent = &a
	}
	if v.Primary != nil && v.Accent != nil {
		s := palette.Derive(*v.Primary, *v.Accent)
		v.Scheme, v.Pairs = &s, s.Pairs()
	}
	h.site.Render(c, code, "admin_brand", web.T(c, "brandadm.heading"), v)
}
