package app

import (
	"context"
	"fmt"
	"slices"

	"mutual/forum"
)

// repTrustedActs names, for refusals, what the trusted role lets a member
// do on an object; objects not named here are "This".
var repTrustedActs = map[string]string{
	"modqueue": "Reviewing flags",
}

// errNotAllowed is the refusal when nothing a member can earn would allow it.
var errNotAllowed = &forum.Error{Kind: forum.ErrForbidden, Msg: "Your account is not allowed to do that here."}

// repRefusal says why a signed-in member may not do act on obj. When the
// trusted role, which members earn with reputation (brands.rep_trusted,
// forum.Members.RolesOf), would allow it, the member hears at what
// reputation and how much they have; staff, who earn none, and anything
// reputation does not unlock get the plain refusal.
func (a *App) repRefusal(ctx context.Context, actor forum.Actor, obj, act string) error {
	if actor.IsStaff() || actor.Has("trusted") {
		return errNotAllowed
	}
	earned := actor
	earned.Roles = append(slices.Clone(actor.Roles), "trusted")
	if !a.authz.Can(earned, obj, act) {
		return errNotAllowed
	}
	cfg, err := a.repConfig(ctx, actor.BrandID)
	if err != nil {
		return err
	}
	u, err := a.members.ByID(ctx, actor.BrandID, actor.UserID)
	if err != nil {
		return err
	}
	if u.Reputation >= cfg.Privileges.Trusted {
		// Reached since this request read the roles: the next one has them.
		return errNotAllowed
	}
	what := repTrustedActs[obj]
	if what == "" {
		what = "This"
	}
	return &forum.Error{Kind: forum.ErrForbidden, Msg: fmt.Sprintf("%s unlocks at %s reputation; you have %s.",
		what, forum.Thousands(cfg.Privileges.Trusted), forum.Thousands(u.Reputation))}
}
