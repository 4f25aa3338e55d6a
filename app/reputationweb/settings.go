package reputationweb

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/reputation"
	"mutual/sqldb"
)

// settingsView is the admin form for a brand's reputation settings.
type settingsView struct {
	Config reputation.Config
	Ranks  string
	Values map[string]string // what was typed, on a failed save
	Errors map[string]string
	Saved  bool
}

// settingField is one of the form's number fields: name, label, and where
// the value lives.
type settingField struct {
	Name, Label, Help string
	Ptr               *int64
}

func settingFields(loc *i18n.Localizer, c *reputation.Config) []settingField {
	r, p := &c.Rules, &c.Privileges
	f := func(name string, ptr *int64, help ...any) settingField {
		h := ""
		if id := "rs." + name + "_help"; loc.T(id) != id {
			h = loc.T(id, help...)
		}
		return settingField{name, loc.T("rs." + name), h, ptr}
	}
	return []settingField{
		f("kudos_points", &r.KudosPoints),
		f("accepted_points", &r.AcceptedPoints),
		f("accepting_points", &r.AcceptingPoints),
		f("rescue_points", &r.RescuePoints),
		f("daily_cap", &r.DailyCap),
		f("kudos_per_day", &r.KudosPerDay),
		f("giver_min_age_minutes", &r.GiverMinAgeMinutes),
		f("giver_min_posts", &r.GiverMinPosts),
		f("serial_window_minutes", &r.SerialWindowMinutes),
		f("serial_threshold", &r.SerialThreshold),
		f("ring_window_days", &r.RingWindowDays),
		f("ring_min_kudos", &r.RingMinKudos),
		f("ring_share_pct", &r.RingSharePct),
		f("ring_max_size", &r.RingMaxSize),
		f("rep_links", &p.Links, "What", loc.N("rep.n_links", forum.NewMemberLinks)),
		f("rep_images", &p.Images, "What", loc.N("rep.n_images", forum.NewMemberImages)),
		f("rep_trusted", &p.Trusted),
		f("rep_edit_others", &p.EditOthers),
	}
}

func (h *Handlers) settingsForm(c *gin.Context) {
	cfg, err := reputation.LoadConfig(c.Request.Context(), h.db, web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.renderSettings(c, http.StatusOK, settingsView{Config: cfg, Ranks: reputation.FormatRanks(cfg.Ranks), Saved: c.Query("saved") == "1"})
}

func (h *Handlers) renderSettings(c *gin.Context, code int, v settingsView) {
	type field struct {
		Name, Label, Help, Value, Error string
	}
	var fields []field
	for _, f := range settingFields(web.LocalizerOf(c), &v.Config) {
		val := strconv.FormatInt(*f.Ptr, 10)
		if typed, ok := v.Values[f.Name]; ok {
			val = typed
		}
		fields = append(fields, field{f.Name, f.Label, f.Help, val, v.Errors[f.Name]})
	}
	h.site.Render(c, code, "reputation_settings", web.T(c, "title.rep_settings"), struct {
		Fields     []field
		Ranks      string
		RanksError string
		Errors     map[string]string
		Saved      bool
	}{fields, v.Ranks, v.Errors["ranks"], v.Errors, v.Saved})
}

func (h *Handlers) settingsSave(c *gin.Context) {
	b := web.BrandOf(c)
	v := readSettingsForm(c)
	if len(v.Errors) == 0 {
		err := h.saveConfig(c.Request.Context(), b.ID, web.ActorOf(c).UserID, v.Config)
		var fe *fault.ValidationError
		if errors.As(err, &fe) {
			addErrors(v.Errors, fe, true)
		} else if err != nil {
			h.site.Fail(c, err)
			return
		}
	}
	if len(v.Errors) > 0 {
		h.renderSettings(c, http.StatusUnprocessableEntity, v)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/reputation?saved=1")
}

// readSettingsForm reads the posted form into a configuration, with what
// was typed and, field by field, what is wrong with it.
func readSettingsForm(c *gin.Context) settingsView {
	v := settingsView{Values: map[string]string{}, Errors: map[string]string{}, Ranks: c.PostForm("ranks")}
	for _, f := range settingFields(web.LocalizerOf(c), &v.Config) {
		raw := strings.TrimSpace(c.PostForm(f.Name))
		v.Values[f.Name] = raw
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			v.Errors[f.Name] = web.T(c, "rs.whole_number", "Label", f.Label)
			continue
		}
		*f.Ptr = n
	}
	ranks, err := reputation.ParseRanks(c.Request.Context(), v.Ranks)
	var fe *fault.ValidationError
	if errors.As(err, &fe) {
		addErrors(v.Errors, fe, true)
	}
	v.Config.Ranks = ranks
	if err := v.Config.Validate(c.Request.Context()); errors.As(err, &fe) {
		// A field's own parse error says more than the range check.
		addErrors(v.Errors, fe, false)
	}
	return v
}

// addErrors copies a validation error's field messages into errs, over any
// already there when replace.
func addErrors(errs map[string]string, fe *fault.ValidationError, replace bool) {
	for k, m := range fe.Fields {
		if _, ok := errs[k]; replace || !ok {
			errs[k] = m
		}
	}
}

// saveConfig stores the brand's configuration, then forgets the cached one
// and the cached pages that show ranks.
func (h *Handlers) saveConfig(ctx context.Context, brandID, by int64, cfg reputation.Config) error {
	err := h.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return reputation.SaveConfig(ctx, forum.LedgerTx(tx), brandID, by, cfg, h.now())
	})
	if err != nil {
		return err
	}
	h.forget(brandID)
	h.changed(forum.Change{BrandID: brandID, Lists: true})
	return nil
}
