// Package privacy carries out members' data rights: a member's data
// export (everything the brand holds about them, as one versioned JSON
// archive) and the erasure of an account, by its member or by an
// administrator. It owns each brand's erasure policy (privacy_settings)
// and nothing else: every other table is read and changed by the package
// that owns it, through its ExportMember and EraseMember functions, and an
// erasure runs them all in one write transaction with its audit row.
// Single sign-on's share comes in as a Part, wired by the app: package sso
// speaks HTTP to its providers, and privacy stays clear of HTTP.
package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/sqldb"
)

// Service exports and erases members' data.
type Service struct {
	db      *sqldb.DB
	members *account.Members
	now     func() time.Time
	signOn  Part

	// Changed, when set, hears of the pages an erasure changed (the threads
	// the member wrote in, and the lists), so cached copies are dropped.
	Changed func(forum.Change)
}

// Part is a capability's share of members' data that privacy cannot
// import. Both functions work inside the caller's querier: Erase runs in
// the erasure's transaction.
type Part struct {
	Export func(ctx context.Context, q sqldb.Querier, brandID, userID int64) (any, error)
	Erase  func(ctx context.Context, q sqldb.Querier, brandID, userID int64) error
}

// New returns the service; signOn is single sign-on's share of members'
// data, and now is the clock.
func New(db *sqldb.DB, members *account.Members, signOn Part, now func() time.Time) *Service {
	return &Service{db: db, members: members, signOn: signOn, now: now}
}

// PostsPolicy says what happens to an erased member's posts.
type PostsPolicy string

// The policies a brand can choose.
const (
	// KeepPosts keeps the posts as they are, by "a former member".
	KeepPosts PostsPolicy = "keep"
	// RemovePosts replaces their text (and their questions' titles) by a
	// notice; the threads and everyone else's replies stay.
	RemovePosts PostsPolicy = "remove"
)

// Settings are a brand's erasure policy.
type Settings struct {
	ErasedPosts PostsPolicy `json:"erased_posts"`
	HoldDays    int         `json:"username_hold_days"` // how long an erased member's username stays unavailable
}

// DefaultSettings apply to a brand that never chose.
var DefaultSettings = Settings{ErasedPosts: KeepPosts, HoldDays: 90}

// MaxHoldDays bounds the username hold (ten years).
const MaxHoldDays = 3650

func (st Settings) validate(ctx context.Context) error {
	v := fault.Validation{}
	if st.ErasedPosts != KeepPosts && st.ErasedPosts != RemovePosts {
		v.Add("erased_posts", i18n.T(ctx, "pvmsg.erased_posts"))
	}
	if st.HoldDays < 0 || st.HoldDays > MaxHoldDays {
		v.Add("username_hold_days", i18n.T(ctx, "pvmsg.hold_range", "Max", MaxHoldDays))
	}
	return v.Err()
}

// Settings returns the brand's erasure policy (the defaults when never set).
func (s *Service) Settings(ctx context.Context, brandID int64) (Settings, error) {
	return settings(ctx, s.db, brandID)
}

func settings(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	st := DefaultSettings
	err := q.QueryRow(ctx, `SELECT erased_posts, username_hold_days FROM privacy_settings WHERE brand_id = ?`, brandID).
		Scan(&st.ErasedPosts, &st.HoldDays)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return st, fmt.Errorf("privacy: settings: %w", err)
	}
	return st, nil
}

// SetSettings changes the brand's erasure policy and records the change in
// the audit log. It returns a *fault.ValidationError for a bad policy.
func (s *Service) SetSettings(ctx context.Context, a account.Actor, st Settings) (Settings, error) {
	if err := st.validate(ctx); err != nil {
		return Settings{}, err
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := settings(ctx, tx, a.BrandID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO privacy_settings (brand_id, erased_posts, username_hold_days, updated_at, updated_by)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET erased_posts = excluded.erased_posts,
username_hold_days = excluded.username_hold_days, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			a.BrandID, string(st.ErasedPosts), st.HoldDays, now.UnixMilli(), a.UserID); err != nil {
			return fmt.Errorf("privacy: save settings: %w", err)
		}
		return moderation.RecordPrivacyAct(ctx, tx, a, moderation.PrivacyEntry{Act: moderation.ActSettingsChanged,
			TargetType: "brand", TargetID: a.BrandID, Before: before, After: st}, now)
	})
	if err != nil {
		return Settings{}, err
	}
	return st, nil
}
