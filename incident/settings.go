package incident

import (
	"context"
	"strings"
	"time"

	"mutual/account"
	"mutual/moderation"
	"mutual/sqldb"
)

// DefaultAckSLA is how long an agent has to acknowledge an incident when
// the brand has not said otherwise.
const DefaultAckSLA = 15 * time.Minute

// Bounds of the acknowledgement SLA.
const (
	MinAckSLA = time.Minute
	MaxAckSLA = 24 * time.Hour
)

// Contact is a member of the brand's staff told of every new incident.
type Contact struct {
	UserID   int64
	Username string
}

// Settings are a brand's incident rules.
type Settings struct {
	BrandID  int64
	AckSLA   time.Duration
	Contacts []Contact
}

// ContactNames is the contacts' usernames, comma-separated (the form's value).
func (st Settings) ContactNames() string {
	names := make([]string, len(st.Contacts))
	for i, c := range st.Contacts {
		names[i] = c.Username
	}
	return strings.Join(names, ", ")
}

func settings(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	st := Settings{BrandID: brandID, AckSLA: DefaultAckSLA}
	var secs int64
	var contacts string
	err := q.QueryRow(ctx, `SELECT ack_sla_seconds, contacts FROM incident_settings WHERE brand_id = ?`, brandID).Scan(&secs, &contacts)
	if isNoRows(err) {
		return st, nil
	}
	if err != nil {
		return st, wrap("settings", err)
	}
	st.AckSLA = time.Duration(secs) * time.Second
	ids := sqldb.SplitIDs(contacts)
	if len(ids) == 0 {
		return st, nil
	}
	in, args := sqldb.InList(ids)
	rows, err := q.Query(ctx, `SELECT id, username FROM users WHERE brand_id = ? AND id IN (`+in+`) ORDER BY username`,
		append([]any{brandID}, args...)...)
	if err != nil {
		return st, wrap("contacts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Contact
		if err := rows.Scan(&c.UserID, &c.Username); err != nil {
			return st, err
		}
		st.Contacts = append(st.Contacts, c)
	}
	return st, rows.Err()
}

// Settings reads a brand's incident rules, with defaults.
func (s *Service) Settings(ctx context.Context, brandID int64) (Settings, error) {
	return settings(ctx, s.db, brandID)
}

// staffRoles may be an incident contact.
var staffRoles = []string{"agent", "moderator", "admin"}

// UpdateSettings sets a brand's acknowledgement SLA and its contacts (a
// comma-separated list of usernames of the brand's staff), in the audit log.
func (s *Service) UpdateSettings(ctx context.Context, a account.Actor, ackSLA time.Duration, contactNames string) (Settings, error) {
	if !a.Has("admin") {
		return Settings{}, denied(ctx)
	}
	if ackSLA < MinAckSLA || ackSLA > MaxAckSLA {
		return Settings{}, invalid(ctx, "ack_sla", "incident.err_ack_sla", "Min", MinAckSLA.String(), "Max", MaxAckSLA.String())
	}
	var ids []int64
	for _, name := range strings.Split(contactNames, ",") {
		name = strings.TrimPrefix(strings.TrimSpace(name), "@")
		if name == "" {
			continue
		}
		var id int64
		err := s.db.QueryRow(ctx, `SELECT u.id FROM users u WHERE u.brand_id = ? AND u.username_key = ?
AND EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.brand_id = ? AND r.role IN (?, ?, ?))`,
			a.BrandID, strings.ToLower(name), a.BrandID, staffRoles[0], staffRoles[1], staffRoles[2]).Scan(&id)
		if isNoRows(err) {
			return Settings{}, invalid(ctx, "contacts", "incident.err_contact", "Name", name)
		}
		if err != nil {
			return Settings{}, wrap("contact", err)
		}
		ids = append(ids, id)
	}
	before, err := s.Settings(ctx, a.BrandID)
	if err != nil {
		return Settings{}, err
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO incident_settings (brand_id, ack_sla_seconds, contacts, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (brand_id) DO UPDATE SET ack_sla_seconds = excluded.ack_sla_seconds, contacts = excluded.contacts, updated_at = excluded.updated_at`,
			a.BrandID, int64(ackSLA.Seconds()), sqldb.JoinIDs(ids), sqldb.Millis(now)); err != nil {
			return err
		}
		return moderation.RecordPrivacyAct(ctx, tx, a, moderation.PrivacyEntry{Act: moderation.ActSettingsChanged, TargetType: "brand",
			TargetID: a.BrandID, Reason: "incident settings",
			Before: map[string]any{"ack_sla_seconds": int64(before.AckSLA.Seconds()), "contacts": before.ContactNames()},
			After:  map[string]any{"ack_sla_seconds": int64(ackSLA.Seconds()), "contacts": sqldb.JoinIDs(ids)}}, now)
	})
	if err != nil {
		return Settings{}, wrap("update settings", err)
	}
	return s.Settings(ctx, a.BrandID)
}
