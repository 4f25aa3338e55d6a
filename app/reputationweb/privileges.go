package reputationweb

import (
	"context"
	"slices"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/reputation"
)

// trustedActs names, for refusals, the message saying what the trusted role
// lets a member do on an object; objects not named here are "This".
var trustedActs = map[string]string{
	"modqueue": "rep.unlock_modqueue",
}

// Refusal says why a signed-in member may not do act on obj (web.Site's
// Refusal). When the trusted role, which members earn with reputation
// (brands.rep_trusted, account.Members.RolesOf), would allow it, the member
// hears at what reputation and how much they have; staff, who earn none, and
// anything reputation does not unlock get the plain refusal.
func (h *Handlers) Refusal(ctx context.Context, actor account.Actor, obj, act string) error {
	if actor.IsStaff() || actor.Has("trusted") {
		return web.NotAllowed(ctx)
	}
	earned := actor
	earned.Roles = append(slices.Clone(actor.Roles), "trusted")
	if !h.authz.Can(earned, obj, act) {
		return web.NotAllowed(ctx)
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
		return web.NotAllowed(ctx)
	}
	id := trustedActs[obj]
	if id == "" {
		id = "rep.unlock_this"
	}
	loc := i18n.From(ctx)
	return &fault.Error{Kind: fault.ErrForbidden, Msg: loc.T(id, "Need", loc.Int(cfg.Privileges.Trusted), "Have", loc.Int(u.Reputation))}
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
	return hintFor(i18n.From(ctx), u.Reputation, cfg.Privileges), nil
}

// hintFor is the posting hint for a member with rep reputation.
func hintFor(loc *i18n.Localizer, rep int64, p reputation.Privileges) string {
	links := loc.N("rep.n_links", forum.NewMemberLinks)
	images := loc.N("rep.n_images", forum.NewMemberImages)
	lowLinks, lowImages := rep < p.Links, rep < p.Images
	switch {
	case lowLinks && lowImages && p.Links == p.Images:
		return loc.T("rep.hint_both", "Links", links, "Images", images, "Need", loc.Int(p.Links))
	case lowLinks && lowImages:
		return loc.T("rep.hint_each", "Links", links, "NeedLinks", loc.Int(p.Links), "Images", images, "NeedImages", loc.Int(p.Images))
	case lowLinks:
		return loc.T("rep.hint_one", "What", links, "Need", loc.Int(p.Links))
	case lowImages:
		return loc.T("rep.hint_one", "What", images, "Need", loc.Int(p.Images))
	}
	return ""
}
