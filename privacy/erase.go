package privacy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/search"
	"mutual/signals"
	"mutual/sqldb"
)

// Erasure is what erasing an account did.
type Erasure struct {
	Posts     int64       // the member's posts, kept or removed
	Policy    PostsPolicy // what became of them
	HeldUntil time.Time   // the username is unavailable until then (zero: not held)
}

// DeleteOwn erases the signed-in member's own account. They confirm by
// typing their username and, when the account has a password, giving it.
// It returns a *fault.ValidationError naming the field that does not
// match, and fault.ErrConflict when the member is the brand's only
// administrator.
func (s *Service) DeleteOwn(ctx context.Context, a account.Actor, confirm, password string) (Erasure, error) {
	if !a.SignedIn() {
		return Erasure{}, fault.ErrUnauthenticated
	}
	u, err := s.members.ByID(ctx, a.BrandID, a.UserID)
	if err != nil {
		return Erasure{}, err
	}
	v := fault.Validation{}
	if !sameName(confirm, u.Username) {
		v.Add("confirm_username", i18n.T(ctx, "pv.confirm_own", "Name", u.Username))
	}
	if u.HasPassword && password == "" {
		v.Add("password", i18n.T(ctx, "pv.enter_password"))
	}
	if err := v.Err(); err != nil {
		return Erasure{}, err
	}
	if u.HasPassword {
		_, err := s.members.Authenticate(ctx, a.BrandID, u.Username, password)
		if errors.Is(err, fault.ErrBadCredentials) {
			return Erasure{}, &fault.ValidationError{Fields: map[string]string{"password": "That is not your password."}}
		}
		if err != nil {
			return Erasure{}, err
		}
	}
	return s.erase(ctx, a, u, ByMember, "")
}

// EraseMember erases a member of the administrator's brand, on request.
// The administrator (or the operator at the command line, acting as the
// system with an administrator's role) confirms by typing the member's
// username; the reason goes to the audit log. It returns fault.ErrForbidden for anyone but an
// administrator or for their own account (DeleteOwn is for that),
// fault.ErrNotFound when the brand has no such member, and a
// *fault.ValidationError for a confirmation that does not match.
func (s *Service) EraseMember(ctx context.Context, a account.Actor, username, confirm, reason string) (Erasure, error) {
	if !a.Has("admin") {
		return Erasure{}, &fault.Error{Kind: fault.ErrForbidden, Msg: "Only an administrator can erase a member's account."}
	}
	u, err := s.Member(ctx, a.BrandID, username)
	if err != nil {
		return Erasure{}, err
	}
	if u.ID == a.UserID {
		return Erasure{}, &fault.Error{Kind: fault.ErrForbidden, Msg: "To delete your own account, use your privacy settings."}
	}
	v := fault.Validation{}
	if !sameName(confirm, u.Username) {
		v.Add("confirm_username", "Type the member's username, "+u.Username+", to confirm.")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > moderation.MaxReason {
		v.Add("reason", "The reason must be at most 500 characters.")
	}
	if err := v.Err(); err != nil {
		return Erasure{}, err
	}
	return s.erase(ctx, a, u, requester(a), reason)
}

func sameName(typed, username string) bool {
	return strings.EqualFold(strings.TrimSpace(typed), username)
}

// erase runs every owner's part of an erasure, and its audit row, in one
// write transaction: all of it happens, or none.
func (s *Service) erase(ctx context.Context, a account.Actor, u account.User, by, reason string) (Erasure, error) {
	st, err := s.Settings(ctx, u.BrandID)
	if err != nil {
		return Erasure{}, err
	}
	now := s.now()
	e := Erasure{Policy: st.ErasedPosts}
	if st.HoldDays > 0 {
		e.HeldUntil = now.Add(time.Duration(st.HoldDays) * 24 * time.Hour).UTC()
	}
	remove := st.ErasedPosts == RemovePosts
	var threads []int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := keepAnAdmin(ctx, tx, u); err != nil {
			return err
		}
		if err := account.EraseMember(ctx, tx, u.BrandID, u.ID, e.HeldUntil, now); err != nil {
			return err
		}
		if err := s.signOn.Erase(ctx, tx, u.BrandID, u.ID); err != nil {
			return err
		}
		content, err := forum.EraseMember(ctx, tx, u.BrandID, u.ID, remove)
		if err != nil {
			return err
		}
		if remove {
			if err := search.RefreshThreads(ctx, tx, content.Threads); err != nil {
				return err
			}
		}
		if err := escalation.EraseMember(ctx, tx, u.BrandID, u.ID, u.Username, remove); err != nil {
			return err
		}
		if err := notify.EraseMember(ctx, tx, u.BrandID, u.ID); err != nil {
			return err
		}
		if err := moderation.EraseMember(ctx, tx, u.BrandID, u.ID); err != nil {
			return err
		}
		if err := signals.EraseMember(ctx, tx, u.BrandID, u.ID); err != nil {
			return err
		}
		e.Posts, threads = content.Posts, content.Threads
		detail := map[string]any{"requested_by": by, "posts": content.Posts, "posts_policy": st.ErasedPosts}
		if !e.HeldUntil.IsZero() {
			detail["username_held_until"] = e.HeldUntil
		}
		return moderation.RecordPrivacyAct(ctx, tx, a, moderation.PrivacyEntry{Act: moderation.ActMemberErased,
			TargetType: "user", TargetID: u.ID, TargetUserID: u.ID, Reason: reason, After: detail}, now)
	})
	if err != nil {
		return Erasure{}, err
	}
	s.dropPages(u.BrandID, threads)
	return e, nil
}

// keepAnAdmin refuses to erase a brand's only administrator.
func keepAnAdmin(ctx context.Context, tx *sqldb.Tx, u account.User) error {
	admins, err := account.RoleHolders(ctx, tx, u.BrandID, "admin")
	if err != nil {
		return err
	}
	if slices.Contains(admins, u.ID) && len(admins) == 1 {
		return &fault.Error{Kind: fault.ErrConflict,
			Msg: "This is the community's only administrator: make another member an administrator first."}
	}
	return nil
}

// maxPageDrops bounds the thread pages dropped one by one after an
// erasure; past it, cached pages simply expire (within seconds).
const maxPageDrops = 1000

func (s *Service) dropPages(brandID int64, threads []int64) {
	if s.Changed == nil {
		return
	}
	s.Changed(forum.Change{BrandID: brandID, Lists: true})
	for _, id := range threads[:min(len(threads), maxPageDrops)] {
		s.Changed(forum.Change{BrandID: brandID, ThreadID: id})
	}
}
