// Package broadcast lets the instances that share one PostgreSQL database
// tell each other what changed (NOTIFY on a channel, LISTEN on a connection
// of its own), so that every instance, not only the one that took a write,
// drops the cached pages and policy decisions it made stale. On SQLite there
// is one instance and nothing to tell: a Bus without a URL does nothing.
package broadcast

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"mutual/sqldb"
)

// Bus publishes to and listens on PostgreSQL notification channels.
type Bus struct {
	db  *sqldb.DB
	url string // postgres:// URL; "" on SQLite
	log *slog.Logger
}

// New returns a Bus over db; url is the PostgreSQL URL LISTEN connects to,
// or "" when there are no other instances.
func New(db *sqldb.DB, url string, log *slog.Logger) *Bus {
	return &Bus{db: db, url: url, log: log}
}

// Shared reports whether other instances may be listening.
func (b *Bus) Shared() bool { return b.url != "" }

// Publish tells the other instances payload on channel. It is best effort:
// a lost message costs staleness until the listener's cache TTL, so a
// failure is logged, not returned.
func (b *Bus) Publish(channel, payload string) {
	if !b.Shared() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := b.db.Exec(ctx, `SELECT pg_notify(?, ?)`, channel, payload); err != nil {
		b.log.Warn("broadcast", "channel", channel, "err", err)
	}
}

// Listen keeps a LISTEN connection on channels open until ctx ends,
// reconnecting after errors with a growing pause, and calls handle for each
// message. ready is closed once the first connection listens.
func (b *Bus) Listen(ctx context.Context, channels []string, ready chan<- struct{}, handle func(channel, payload string)) {
	backoff := time.Second
	var once sync.Once
	listening := func() { once.Do(func() { close(ready) }) }
	for ctx.Err() == nil {
		err := b.listenOnce(ctx, channels, listening, handle)
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("change listener disconnected; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (b *Bus) listenOnce(ctx context.Context, channels []string, ready func(), handle func(channel, payload string)) error {
	conn, err := pgx.Connect(ctx, b.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		handle(n.Channel, n.Payload)
	}
}
