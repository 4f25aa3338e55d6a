package escalation

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/sqldb"
)

// The callback contract (docs/ticketing.md): a signature is fresh for
// MaxSkew either side of our clock; a rotated secret still verifies for
// SecretGrace, so the brand can change its side without losing answers.
const (
	MaxSkew     = 5 * time.Minute
	SecretGrace = 24 * time.Hour
	// seenFor keeps each signature past any moment its timestamp could
	// still be fresh, so a copy sent later is known for a replay.
	seenFor = 2*MaxSkew + time.Minute
	// MinSecret is the shortest secret a brand may set by hand.
	MinSecret = 16
)

// Signature schemes the callback accepts: Mutual's own, and the one a
// Zendesk webhook signs every request with (so a trigger needs no code).
const (
	SchemeMutual  = "mutual"  // X-Mutual-Timestamp (Unix seconds), X-Mutual-Signature: sha256=hex(HMAC(ts + "." + body))
	SchemeZendesk = "zendesk" // X-Zendesk-Webhook-Signature-Timestamp, X-Zendesk-Webhook-Signature: base64(HMAC(ts + body))
)

// TicketingSettings are how a brand's ticketing system calls back. The
// secret itself is never read back out: it is shown once when generated.
type TicketingSettings struct {
	BrandID       int64
	HasSecret     bool
	RotatedAt     time.Time
	PreviousUntil time.Time // the previous secret verifies until then
	AuthorID      int64     // answers are posted under this staff account
	AuthorName    string

	secret, previous string
}

// TicketingSettings reads a brand's callback settings.
func (s *Service) TicketingSettings(ctx context.Context, brandID int64) (TicketingSettings, error) {
	return ticketingSettings(ctx, s.db, brandID)
}

func ticketingSettings(ctx context.Context, q sqldb.Querier, brandID int64) (TicketingSettings, error) {
	t := TicketingSettings{BrandID: brandID}
	var rotated, until int64
	err := q.QueryRow(ctx, `SELECT t.secret, t.previous_secret, t.previous_until, t.rotated_at, COALESCE(t.author_id, 0), COALESCE(u.username, '')
FROM ticketing_settings t LEFT JOIN users u ON u.id = t.author_id WHERE t.brand_id = ?`, brandID).
		Scan(&t.secret, &t.previous, &until, &rotated, &t.AuthorID, &t.AuthorName)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	t.HasSecret, t.RotatedAt, t.PreviousUntil = t.secret != "", sqldb.Time(rotated), sqldb.Time(until)
	return t, wrap("ticketing settings", err)
}

// SetTicketing sets a brand's callback secret and the staff account its
// answers are posted under (author, a username). An empty secret generates
// one, returned to show once; a secret given (one the ticketing system
// generated, like Zendesk's signing secret) is kept as typed. The secret it
// replaces keeps verifying for SecretGrace. Administrators only; audited.
func (s *Service) SetTicketing(ctx context.Context, a account.Actor, author, secret string) (string, error) {
	if !a.Has("admin") {
		return "", denied(i18n.T(ctx, "loop.admins_only"))
	}
	secret = strings.TrimSpace(secret)
	if secret != "" && len(secret) < MinSecret {
		return "", invalid("secret", i18n.T(ctx, "loop.secret_short", "N", MinSecret))
	}
	if secret == "" {
		secret = newSecret()
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		authorID, err := staffNamed(ctx, tx, a.BrandID, author)
		if err != nil {
			if errors.Is(err, fault.ErrNotFound) {
				return invalid("author", i18n.T(ctx, "loop.author_not_staff"))
			}
			return err
		}
		old, err := ticketingSettings(ctx, tx, a.BrandID)
		if err != nil {
			return err
		}
		var until int64
		if old.secret != "" {
			until = sqldb.Millis(now.Add(SecretGrace))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ticketing_settings (brand_id, secret, previous_secret, previous_until, author_id, rotated_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET secret = excluded.secret, previous_secret = excluded.previous_secret,
previous_until = excluded.previous_until, author_id = excluded.author_id, rotated_at = excluded.rotated_at, updated_at = excluded.updated_at`,
			a.BrandID, secret, old.secret, until, authorID, sqldb.Millis(now), sqldb.Millis(now)); err != nil {
			return wrap("set ticketing secret", err)
		}
		return moderation.RecordIntegrationAct(ctx, tx, moderation.IntegrationEntry{BrandID: a.BrandID, ActorID: a.UserID,
			Act: moderation.ActTicketingSecret, TargetType: "brand", TargetID: a.BrandID,
			Before: map[string]any{"had_secret": old.HasSecret, "author_id": old.AuthorID},
			After:  map[string]any{"author_id": authorID, "previous_valid_until": sqldb.Time(until)}}, now)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// staffNamed finds a staff member (agent, moderator or admin) of the brand
// by username.
func staffNamed(ctx context.Context, q sqldb.Querier, brandID int64, username string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT u.id FROM users u WHERE u.brand_id = ? AND u.username_key = ? AND EXISTS (
SELECT 1 FROM agents g WHERE g.user_id = u.id AND g.brand_id = u.brand_id)`, brandID, strings.ToLower(strings.TrimSpace(username))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.ErrNotFound
	}
	return id, err
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return "mts_" + base64.RawURLEncoding.EncodeToString(b)
}

// Signed is a callback as it arrived: which scheme's headers it carried,
// their values, and the exact body bytes.
type Signed struct {
	Scheme    string
	Timestamp string
	Signature string
	Body      []byte
}

// SignCallback is the signature a sender puts in X-Mutual-Signature for
// body sent at ts (Unix seconds): the contract in docs/ticketing.md.
func SignCallback(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SignZendesk is the signature Zendesk sends for body at timestamp ts (as
// its header carries it).
func SignZendesk(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// verify checks r against the brand's secrets and our clock. Every refusal
// is ErrUnauthenticated with a message the brand's integrator can act on.
func verify(ctx context.Context, t TicketingSettings, r Signed, now time.Time) error {
	refuse := func(key string, args ...any) error {
		return &fault.Error{Kind: fault.ErrUnauthenticated, Msg: i18n.T(ctx, key, args...)}
	}
	if !t.HasSecret {
		return refuse("loop.no_secret")
	}
	if r.Signature == "" || r.Timestamp == "" {
		return refuse("loop.unsigned")
	}
	at, ok := parseStamp(r.Timestamp)
	if !ok {
		return refuse("loop.bad_timestamp")
	}
	if d := now.Sub(at); d > MaxSkew || d < -MaxSkew {
		return refuse("loop.old_timestamp", "Minutes", int(MaxSkew.Minutes()))
	}
	secrets := []string{t.secret}
	if t.previous != "" && now.Before(t.PreviousUntil) {
		secrets = append(secrets, t.previous)
	}
	for _, sec := range secrets {
		want := SignZendesk(sec, r.Timestamp, r.Body)
		if r.Scheme == SchemeMutual {
			want = SignCallback(sec, at.Unix(), r.Body)
		}
		if hmac.Equal([]byte(want), []byte(strings.TrimSpace(r.Signature))) {
			return nil
		}
	}
	return refuse("loop.bad_signature")
}

// parseStamp reads Unix seconds or an RFC 3339 time.
func parseStamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// remember stores a verified signature; one already seen is a replay.
// Signatures past any fresh timestamp are forgotten on the way.
func remember(ctx context.Context, tx *sqldb.Tx, brandID int64, sig string, now time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM ticketing_signatures WHERE seen_at < ?`, sqldb.Millis(now.Add(-seenFor))); err != nil {
		return wrap("forget old signatures", err)
	}
	res, err := tx.Exec(ctx, `INSERT INTO ticketing_signatures (brand_id, signature, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		brandID, strings.TrimSpace(sig), sqldb.Millis(now))
	if err != nil {
		return wrap("remember signature", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &fault.Error{Kind: fault.ErrUnauthenticated, Msg: i18n.T(ctx, "loop.replayed")}
	}
	return nil
}
