package reputationweb

import (
	"context"
	"fmt"
	"slices"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/reputation"
	"mutual/themes"
)

// trustedActs names, for refusals, what the trusted role lets a member do on
// an object; objects not named here are "This".
var trustedActs = map[string]string{
	"modqueue": "Reviewing flags",
}

// Refusal says why a signed-in member may not do act on obj (web.Site's
// Refusal). When the trusted role, which members earn with reputation
// (brands.rep_trusted, account.Members.RolesOf), would allow it, the member
// hears at what reputation and how much they have; staff, who earn none, and
// anything reputation does not unlock get the plain refusal.
func (h *Handlers) Refusal(ctx context.Context, actor account.Actor, obj, act string) error {
	if actor.IsStaff() || actor.Has("trusted") {
		return web.ErrNotAllowed
	}
	earned := actor
	earned.Roles = append(slices.Clone(actor.Roles), "trusted")
	if !h.authz.Can(earned, obj, act) {
		return web.ErrNotAllowed
	}
	cfg, err := h.config(ctx, actor.BrandID)
	if err != nil {
		return err
	}
	u, err := h.members.ByID(ctx, actor.BrandID, actor.UserID)
	if err != nil {
		return err
	}
	if u.Reputation >= cfg.Privileges.Trusted {
		// Reached since this request read the roles: the next one has them.
		return web.ErrNotAllowed
	}
	what := trustedActs[obj]
	if what == "" {
		what = "This"
	}
	return &fault.Error{Kind: fault.ErrForbidden, Msg: fmt.Sprintf("%s unlocks at %s reputation; you have %s.",
		what, forum.Thousands(cfg.Privileges.Trusted), forum.Thousands(u.Reputation))}
}

// PostingHint tells a member, before they write, what new members may post
// while their reputation is below the brand's thresholds for links and
// images (forum.NewMemberLinks, forum.NewMemberImages); "" when neither
// limit applies to them. Staff are exempt, as when posting.
func (h *Handlers) PostingHint(ctx context.Context, actor account.Actor) (string, error) {
	if !actor.SignedIn() || actor.IsStaff() {
		return "", nil
	}
	cfg, err := h.config(ctx, actor.BrandID)
	if err != nil {
		return "", err
	}
	u, err := h.members.ByID(ctx, actor.BrandID, actor.UserID)
	if err != nil {
		return "", err
	}
	return hintFor(u.Reputation, cfg.Privileges), nil
}

// hintFor is the posting hint for a member with rep reputation.
func hintFor(rep int64, p reputation.Privileges) string {
	links := themes.Plural(forum.NewMemberLinks, "link")
	images := themes.Plural(forum.NewMemberImages, "image")
	lowLinks, lowImages := rep < p.Links, rep < p.Images
	switch {
	case lowLinks && lowImages && p.Links == p.Images:
		return fmt.Sprintf("New members may post at most %s and %s until they have %s reputation.", links, images, forum.Thousands(p.Links))
	case lowLinks && lowImages:
		return fmt.Sprintf("New members may post at most %s until they have %s reputation, and %s until they have %s.",
			links, forum.Thousands(p.Links), images, forum.Thousands(p.Images))
	case lowLinks:
		return fmt.Sprintf("New members may post at most %s until they have %s reputation.", links, forum.Thousands(p.Links))
	case lowImages:
		return fmt.Sprintf("New members may post at most %s until they have %s reputation.", images, forum.Thousands(p.Images))
	}
	return ""
}
