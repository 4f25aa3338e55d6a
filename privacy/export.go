package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/moderation"
	"mutual/report/deflection"
	"mutual/reputation"
	"mutual/search"
	"mutual/signals"
	"mutual/sqldb"
)

// The archive's shape: docs/privacy.md describes every field. A change
// that removes or renames a field raises the version.
const (
	Format        = "mutual.member-data"
	FormatVersion = 1
)

// Archive is everything a brand holds about one member. Secrets (password
// and token hashes, session ids, CSRF tokens) are never part of it.
type Archive struct {
	Format        string                       `json:"format"`
	Version       int                          `json:"version"`
	GeneratedAt   time.Time                    `json:"generated_at"`
	Community     Community                    `json:"community"`
	RequestedBy   string                       `json:"requested_by"` // member or administrator
	Account       account.Data                 `json:"account"`
	SingleSignOn  any                          `json:"single_sign_on"` // package sso's MemberData
	Content       forum.Contributions          `json:"content"`
	Reputation    reputation.MemberLedger      `json:"reputation"`
	Notifications notify.MemberData            `json:"notifications"`
	Activity      deflection.MemberActivity    `json:"reading_and_surveys"`
	Suggestions   []search.SuggestionData      `json:"suggestions_opened"`
	Escalations   escalation.MemberEscalations `json:"escalations"`
	Moderation    moderation.MemberRecord      `json:"moderation"`
	Signals       []signals.PostSignal         `json:"post_signals"` // sentiment, churn and buying phrases read in their posts
}

// Community names the brand the archive comes from.
type Community struct {
	Name string `json:"name"`
	Host string `json:"host"`
}

// Requesters, as the archive and the audit log name them.
const (
	ByMember   = "member"
	ByAdmin    = "administrator"
	ByOperator = "operator" // the command line, acting as the system
)

// requester names who asked for an act on another member's data: an
// administrator, or the server's operator at the command line, which acts
// as the system (an administrator's actor with no account).
func requester(a account.Actor) string {
	if a.SignedIn() {
		return ByAdmin
	}
	return ByOperator
}

// ExportOwn builds the signed-in member's own archive and records the
// export in the audit log.
func (s *Service) ExportOwn(ctx context.Context, a account.Actor, brand forum.Brand) (Archive, error) {
	if !a.SignedIn() {
		return Archive{}, fault.ErrUnauthenticated
	}
	return s.export(ctx, a, brand, a.UserID, ByMember)
}

// ExportMember builds the archive of a member of the administrator's brand
// and records the export in the audit log. It returns fault.ErrForbidden
// for anyone but an administrator, and fault.ErrNotFound when the brand
// has no such member.
func (s *Service) ExportMember(ctx context.Context, a account.Actor, brand forum.Brand, username string) (Archive, error) {
	if !a.Has("admin") {
		return Archive{}, &fault.Error{Kind: fault.ErrForbidden, Msg: "Only an administrator can export a member's data."}
	}
	u, err := s.Member(ctx, brand.ID, username)
	if err != nil {
		return Archive{}, err
	}
	by := requester(a)
	if u.ID == a.UserID {
		by = ByMember
	}
	return s.export(ctx, a, brand, u.ID, by)
}

// Member finds a member of the brand by username, or fault.ErrNotFound
// (with a message a person reads). Erased accounts have no username, so
// they are never found.
func (s *Service) Member(ctx context.Context, brandID int64, username string) (account.User, error) {
	u, err := s.members.ByUsername(ctx, brandID, username)
	if errors.Is(err, fault.ErrNotFound) {
		return account.User{}, account.NoSuchMember(username)
	}
	return u, err
}

// Account is the signed-in member's own account.
func (s *Service) Account(ctx context.Context, a account.Actor) (account.User, error) {
	if !a.SignedIn() {
		return account.User{}, fault.ErrUnauthenticated
	}
	return s.members.ByID(ctx, a.BrandID, a.UserID)
}

// export reads each owner's part of the archive, then writes the audit row.
// The parts are read from the reader pool, not inside the writer: a large
// archive must not hold up every other write.
func (s *Service) export(ctx context.Context, a account.Actor, brand forum.Brand, userID int64, by string) (Archive, error) {
	q, b := s.db, brand.ID
	ar := Archive{Format: Format, Version: FormatVersion, GeneratedAt: s.now().UTC(), RequestedBy: by,
		Community: Community{Name: brand.Name, Host: brand.Host}}
	parts := []struct {
		name string
		read func() error
	}{
		{"account", func() (err error) { ar.Account, err = account.ExportMember(ctx, q, b, userID); return }},
		{"single sign-on", func() (err error) { ar.SingleSignOn, err = s.signOn.Export(ctx, q, b, userID); return }},
		{"content", func() (err error) { ar.Content, err = forum.ExportMember(ctx, q, b, userID); return }},
		{"reputation", func() (err error) { ar.Reputation, err = reputation.ExportMember(ctx, q, b, userID); return }},
		{"notifications", func() (err error) { ar.Notifications, err = notify.ExportMember(ctx, q, b, userID); return }},
		{"activity", func() (err error) { ar.Activity, err = deflection.ExportMember(ctx, q, b, userID); return }},
		{"suggestions", func() (err error) { ar.Suggestions, err = search.ExportMember(ctx, q, b, userID); return }},
		{"escalations", func() (err error) { ar.Escalations, err = escalation.ExportMember(ctx, q, b, userID); return }},
		{"moderation", func() (err error) { ar.Moderation, err = moderation.ExportMember(ctx, q, b, userID); return }},
		{"signals", func() (err error) { ar.Signals, err = signals.ExportMember(ctx, q, b, userID); return }},
	}
	for _, p := range parts {
		if err := p.read(); err != nil {
			return Archive{}, fmt.Errorf("privacy: export %s: %w", p.name, err)
		}
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return moderation.RecordPrivacyAct(ctx, tx, a, moderation.PrivacyEntry{Act: moderation.ActMemberExported,
			TargetType: "user", TargetID: userID, TargetUserID: userID,
			After: map[string]any{"requested_by": by, "format_version": FormatVersion}}, s.now())
	})
	if err != nil {
		return Archive{}, err
	}
	return ar, nil
}
