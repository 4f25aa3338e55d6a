package moderation

import (
	"context"
	"strings"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// Settings are a brand's moderation settings (migration 00009).
type Settings struct {
	PremodPosts  int64  `json:"premod_posts"`   // a new member's first N posts wait for review; 0 = off
	FlagHideAt   int64  `json:"flag_hide_at"`   // open flags from trusted members that hide a post; 0 = never
	ModsSeeEmail bool   `json:"mods_see_email"` // moderators may see members' email addresses
	StaffLabel   string `json:"staff_label"`    // the badge on staff posts
}

// Settings reads a brand's moderation settings.
func (s *Service) Settings(ctx context.Context, brandID int64) (Settings, error) {
	return s.settings(ctx, s.db, brandID)
}

func (s *Service) settings(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	var st Settings
	var see int
	err := q.QueryRow(ctx, `SELECT premod_posts, flag_hide_at, mods_see_email, staff_label FROM brands WHERE id = ?`, brandID).
		Scan(&st.PremodPosts, &st.FlagHideAt, &see, &st.StaffLabel)
	st.ModsSeeEmail = see == 1
	if isNoRows(err) {
		return Settings{}, notFound(i18n.T(ctx, "modmsg.no_community"))
	}
	return st, err
}

// UpdateSettings changes a brand's moderation settings, audited.
func (s *Service) UpdateSettings(ctx context.Context, a account.Actor, st Settings) (Settings, error) {
	st.StaffLabel = strings.TrimSpace(st.StaffLabel)
	v := map[string]string{}
	if st.PremodPosts < 0 || st.PremodPosts > 50 {
		v["premod_posts"] = i18n.T(ctx, "modmsg.premod_range")
	}
	if st.FlagHideAt < 0 || st.FlagHideAt > 100 {
		v["flag_hide_at"] = i18n.T(ctx, "modmsg.flag_range")
	}
	if n := len([]rune(st.StaffLabel)); n == 0 || n > 24 {
		v["staff_label"] = i18n.T(ctx, "modmsg.staff_label_len")
	}
	if len(v) > 0 {
		return Settings{}, &fault.ValidationError{Fields: v}
	}
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		before, err := s.settings(ctx, tx, a.BrandID)
		if err != nil {
			return err
		}
		if err := forum.SetBrandModeration(ctx, tx, a.BrandID, forum.BrandModeration(st)); err != nil {
			return err
		}
		return s.record(ctx, tx, a, entry{act: ActSettingsChanged, targetType: "brand", targetID: a.BrandID, before: before, after: st})
	})
	if err != nil {
		return Settings{}, err
	}
	s.forum.Changed(forum.Change{BrandID: a.BrandID, Lists: true})
	return st, nil
}
