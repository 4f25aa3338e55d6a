package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"mutual/forum"
)

// The channels on which instances sharing a PostgreSQL database tell each
// other what changed: a forum change (so every instance's page cache drops
// what went stale, not only the one that took the write), or the casbin
// policy (so every instance reloads it and drops its memoised decisions).
const (
	changeChannel = "mutual_changes"
	policyChannel = "mutual_policy"
)

// onChange is the forum's change hook: drop local cache entries and tell the
// other instances.
func (a *App) onChange(ch forum.Change) {
	a.site.Changed(ch)
	a.bus.Publish(changeChannel, fmt.Sprintf("%d,%d,%t,%t", ch.BrandID, ch.ThreadID, ch.Lists, ch.Addition))
}

// policyChanged tells the other instances to reload the policy.
func (a *App) policyChanged() { a.bus.Publish(policyChannel, "") }

// listenChanges applies what other instances broadcast until ctx ends.
func (a *App) listenChanges(ctx context.Context, listening chan struct{}) {
	a.bus.Listen(ctx, []string{changeChannel, policyChannel}, listening, func(channel, payload string) {
		if channel == policyChannel {
			if err := a.authz.Reload(); err != nil {
				a.log.Error("reload policy", "err", err)
			}
			return
		}
		if ch, ok := parseChange(payload); ok {
			a.site.Changed(ch)
		}
	})
}

// parseChange reads what onChange published; an instance of the version
// before sends no Addition, which then reads as false (shown at once).
func parseChange(s string) (forum.Change, bool) {
	parts := strings.Split(s, ",")
	if len(parts) == 3 {
		parts = append(parts, "false")
	}
	if len(parts) != 4 {
		return forum.Change{}, false
	}
	b, err1 := strconv.ParseInt(parts[0], 10, 64)
	t, err2 := strconv.ParseInt(parts[1], 10, 64)
	l, err3 := strconv.ParseBool(parts[2])
	add, err4 := strconv.ParseBool(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return forum.Change{}, false
	}
	return forum.Change{BrandID: b, ThreadID: t, Lists: l, Addition: add}, true
}
