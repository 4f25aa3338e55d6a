package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"mutual/forum"
)

// changeChannel is the PostgreSQL channel on which instances tell each other
// what changed, so every instance's page cache drops what went stale, not
// only the one that took the write.
const changeChannel = "mutual_changes"

// policyChannel carries "the casbin policy changed": every instance reloads
// it and drops its memoised decisions.
const policyChannel = "mutual_policy"

// policyChanged tells the other instances (PostgreSQL) to reload the policy.
func (a *App) policyChanged() {
	if a.cfg.DatabaseURL == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := a.db.Exec(ctx, `SELECT pg_notify(?, '')`, policyChannel); err != nil {
		a.log.Warn("notify policy change", "err", err)
	}
}

// onChange is the forum's change hook: drop local cache entries and, on
// PostgreSQL, tell the other instances.
func (a *App) onChange(ch forum.Change) {
	a.site.Changed(ch)
	if a.cfg.DatabaseURL == "" {
		return
	}
	payload := fmt.Sprintf("%d,%d,%t", ch.BrandID, ch.ThreadID, ch.Lists)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := a.db.Exec(ctx, `SELECT pg_notify(?, ?)`, changeChannel, payload); err != nil {
		a.log.Warn("notify change", "err", err)
	}
}

func parseChange(s string) (forum.Change, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return forum.Change{}, false
	}
	b, err1 := strconv.ParseInt(parts[0], 10, 64)
	t, err2 := strconv.ParseInt(parts[1], 10, 64)
	l, err3 := strconv.ParseBool(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return forum.Change{}, false
	}
	return forum.Change{BrandID: b, ThreadID: t, Lists: l}, true
}

// listenChanges keeps a LISTEN connection open until ctx ends, reconnecting
// after errors. While it is down the cache's TTL still bounds staleness.
func (a *App) listenChanges(ctx context.Context, listening chan struct{}) {
	backoff := time.Second
	var once sync.Once
	ready := func() { once.Do(func() { close(listening) }) }
	for ctx.Err() == nil {
		err := a.listenOnce(ctx, ready)
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("change listener disconnected; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (a *App) listenOnce(ctx context.Context, ready func()) error {
	conn, err := pgx.Connect(ctx, a.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+policyChannel); err != nil {
		return err
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == policyChannel {
			if err := a.authz.Reload(); err != nil {
				a.log.Error("reload policy", "err", err)
			}
			continue
		}
		if ch, ok := parseChange(n.Payload); ok {
			a.site.Changed(ch)
		}
	}
}
