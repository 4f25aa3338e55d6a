package escalation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// Defaults used by a brand that has not set its own.
const (
	DefaultPeerSLA       = 15 * time.Minute
	DefaultResolutionSLA = 48 * time.Hour
	DefaultAgentSLA      = time.Hour
	DefaultClaimTimeout  = 30 * time.Minute

	// MinSLA and MaxSLA bound every SLA and the claim timeout.
	MinSLA = time.Minute
	MaxSLA = 90 * 24 * time.Hour
)

// DefaultDistress raise priority: the asker may be about to leave or complain.
var DefaultDistress = []string{"cancel", "complaint", "complain", "ombudsman", "refund", "leaving", "switch provider",
	"disgusted", "urgent", "no signal for days"}

// DefaultFastLane escalate at once with top priority, whatever the peer window.
var DefaultFastLane = []string{"fraud", "scam", "stolen", "threat", "suicide", "outage", "ombudsman", "data breach", "hacked"}

// Settings are a brand's escalation rules.
type Settings struct {
	BrandID int64
	// PeerSLA (brands.escalation_sla_seconds) and AgentSLA are the one
	// place each is kept: the console, the report and its settings page,
	// the API and the command line all read them here.
	PeerSLA       time.Duration
	ResolutionSLA time.Duration
	AgentSLA      time.Duration
	ClaimTimeout  time.Duration
	BusinessHours string // "" = round the clock, else like "Mon-Fri 09:00-17:00"
	Timezone      string
	Language      string
	Distress      []string
	FastLane      []string
	WebhookURL    string
	WebhookSecret string

	hours *Hours
}

// Settings reads a brand's rules, with defaults for what it has not set.
func (s *Service) Settings(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	st := Settings{BrandID: brandID, ResolutionSLA: DefaultResolutionSLA, AgentSLA: DefaultAgentSLA,
		ClaimTimeout: DefaultClaimTimeout, Timezone: "UTC", Language: "en"}
	var peer int64
	if err := q.QueryRow(ctx, `SELECT escalation_sla_seconds FROM brands WHERE id = ?`, brandID).Scan(&peer); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return st, notFound(i18n.T(ctx, "escmsg.no_brand"))
		}
		return st, wrap("brand SLA", err)
	}
	st.PeerSLA = time.Duration(peer) * time.Second
	var res, agent, claim int64
	var distress, fast string
	err := q.QueryRow(ctx, `SELECT resolution_sla_seconds, agent_sla_seconds, claim_timeout_seconds, business_hours, timezone,
language, distress_terms, fast_lane_terms, webhook_url, webhook_secret FROM escalation_settings WHERE brand_id = ?`, brandID).
		Scan(&res, &agent, &claim, &st.BusinessHours, &st.Timezone, &st.Language, &distress, &fast, &st.WebhookURL, &st.WebhookSecret)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return st, wrap("settings", err)
	default:
		st.ResolutionSLA = time.Duration(res) * time.Second
		st.AgentSLA = time.Duration(agent) * time.Second
		st.ClaimTimeout = time.Duration(claim) * time.Second
		st.Distress, st.FastLane = terms(distress), terms(fast)
	}
	if len(st.Distress) == 0 {
		st.Distress = DefaultDistress
	}
	if len(st.FastLane) == 0 {
		st.FastLane = DefaultFastLane
	}
	if st.BusinessHours != "" {
		h, err := ParseHours(st.BusinessHours, st.Timezone)
		if err != nil {
			return st, wrap("business hours", err)
		}
		st.hours = h
	}
	return st, nil
}

// BrandSettings reads a brand's rules from the service's database.
func (s *Service) BrandSettings(ctx context.Context, brandID int64) (Settings, error) {
	return s.Settings(ctx, s.db, brandID)
}

func terms(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Update changes a brand's rules; a nil field keeps its value.
type Update struct {
	PeerSLA       *time.Duration
	ResolutionSLA *time.Duration
	AgentSLA      *time.Duration
	ClaimTimeout  *time.Duration
	BusinessHours *string
	Timezone      *string
	Language      *string
	Distress      *string
	FastLane      *string
	WebhookURL    *string
	WebhookSecret *string
}

// UpdateSettings validates and stores u for a brand. Errors are validation
// errors naming the field.
func (s *Service) UpdateSettings(ctx context.Context, brandID int64, u Update) (Settings, error) {
	for _, c := range []struct {
		field, name string
		d           *time.Duration
	}{{"peer-sla", "escmsg.peer_sla", u.PeerSLA}, {"resolution-sla", "escmsg.resolution_sla", u.ResolutionSLA},
		{"agent-sla", "escmsg.agent_sla", u.AgentSLA}, {"claim-timeout", "escmsg.claim_timeout", u.ClaimTimeout}} {
		if c.d != nil && (*c.d < MinSLA || *c.d > MaxSLA) {
			return Settings{}, invalid(c.field, i18n.T(ctx, "escmsg.span_range", "Name", i18n.T(ctx, c.name), "Span", c.d.String()))
		}
	}
	tz := "UTC"
	if u.Timezone != nil {
		if _, err := time.LoadLocation(*u.Timezone); err != nil {
			return Settings{}, invalid("timezone", i18n.T(ctx, "escmsg.bad_zone", "Zone", *u.Timezone))
		}
		tz = *u.Timezone
	}
	if u.BusinessHours != nil && *u.BusinessHours != "" {
		if _, err := ParseHours(*u.BusinessHours, tz); err != nil {
			return Settings{}, invalid("business-hours", i18n.T(ctx, "escmsg.bad_hours", "Hours", *u.BusinessHours))
		}
	}
	if u.WebhookURL != nil && *u.WebhookURL != "" && !strings.HasPrefix(*u.WebhookURL, "https://") && !strings.HasPrefix(*u.WebhookURL, "http://") {
		return Settings{}, invalid("webhook-url", i18n.T(ctx, "escmsg.webhook_url"))
	}
	now := sqldb.Millis(s.now())
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if u.PeerSLA != nil {
			found, err := forum.SetPeerSLA(ctx, tx, brandID, int64(u.PeerSLA.Seconds()))
			if err != nil {
				return err
			}
			if !found {
				return notFound(i18n.T(ctx, "escmsg.no_brand"))
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO escalation_settings (brand_id, updated_at) VALUES (?, ?) ON CONFLICT (brand_id) DO NOTHING`, brandID, now); err != nil {
			return err
		}
		set := func(col string, v any) error {
			_, err := tx.Exec(ctx, `UPDATE escalation_settings SET `+col+` = ?, updated_at = ? WHERE brand_id = ?`, v, now, brandID)
			return err
		}
		secs := func(d *time.Duration) int64 { return int64(d.Seconds()) }
		var errs []error
		if u.ResolutionSLA != nil {
			errs = append(errs, set("resolution_sla_seconds", secs(u.ResolutionSLA)))
		}
		if u.AgentSLA != nil {
			errs = append(errs, set("agent_sla_seconds", secs(u.AgentSLA)))
		}
		if u.ClaimTimeout != nil {
			errs = append(errs, set("claim_timeout_seconds", secs(u.ClaimTimeout)))
		}
		for col, v := range map[string]*string{"business_hours": u.BusinessHours, "timezone": u.Timezone, "language": u.Language,
			"distress_terms": u.Distress, "fast_lane_terms": u.FastLane, "webhook_url": u.WebhookURL, "webhook_secret": u.WebhookSecret} {
			if v != nil {
				errs = append(errs, set(col, strings.TrimSpace(*v)))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return Settings{}, wrap("update settings", err)
	}
	s.termsMu.Lock()
	delete(s.termsCache, brandID) // other instances pick the change up within termsTTL
	s.termsMu.Unlock()
	return s.Settings(ctx, s.db, brandID)
}

// SetBoardSLA overrides the peer SLA for one board (0 clears the override).
func (s *Service) SetBoardSLA(ctx context.Context, brandID, boardID int64, d time.Duration) error {
	if d > 0 && d < time.Minute {
		return invalid("board-sla", "A board's SLA must be at least 1m.")
	}
	found, err := forum.SetBoardPeerSLA(ctx, s.db, brandID, boardID, int64(d.Seconds()))
	if err != nil {
		return wrap("board SLA", err)
	}
	if !found {
		return notFound(i18n.T(ctx, "escmsg.no_board"))
	}
	return nil
}

// boardSLAs returns the boards of a brand that override the peer SLA.
func boardSLAs(ctx context.Context, q sqldb.Querier, brandID int64) (map[int64]time.Duration, error) {
	rows, err := q.Query(ctx, `SELECT id, escalation_sla_seconds FROM boards WHERE brand_id = ? AND escalation_sla_seconds IS NOT NULL`, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Duration{}
	for rows.Next() {
		var id, secs int64
		if err := rows.Scan(&id, &secs); err != nil {
			return nil, err
		}
		out[id] = time.Duration(secs) * time.Second
	}
	return out, rows.Err()
}

// Due is when a wait of d that began at start ends, counting only business
// hours when the brand has them.
func (st Settings) Due(start time.Time, d time.Duration) time.Time {
	if st.hours == nil {
		return start.Add(d)
	}
	return st.hours.Due(start, d)
}

// Hours are a brand's business hours: the weekdays and the daily window, in
// a time zone.
type Hours struct {
	days       [7]bool
	open, shut int // minutes since midnight
	loc        *time.Location
}

var dayNames = map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

// ParseHours reads "Mon-Fri 09:00-17:00" (or "Mon,Wed,Sat 10:00-14:00") in tz.
func ParseHours(spec, tz string) (*Hours, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", tz)
	}
	bad := fmt.Errorf("business hours %q: write them like \"Mon-Fri 09:00-17:00\"", spec)
	f := strings.Fields(spec)
	if len(f) != 2 {
		return nil, bad
	}
	h := &Hours{loc: loc}
	for _, part := range strings.Split(strings.ToLower(f[0]), ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok1 := dayNames[from]
		b, ok2 := a, true
		if isRange {
			b, ok2 = dayNames[to]
		}
		if !ok1 || !ok2 {
			return nil, bad
		}
		for d := a; ; d = (d + 1) % 7 {
			h.days[d] = true
			if d == b {
				break
			}
		}
	}
	o, c, ok := strings.Cut(f[1], "-")
	if !ok {
		return nil, bad
	}
	if h.open, err = clock(o); err != nil {
		return nil, bad
	}
	if h.shut, err = clock(c); err != nil || h.shut <= h.open {
		return nil, bad
	}
	return h, nil
}

func clock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok {
		return 0, errors.New("bad time")
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, errors.New("bad time")
	}
	return h*60 + m, nil
}

// Due walks forward from start through open windows until d is used up.
func (h *Hours) Due(start time.Time, d time.Duration) time.Time {
	t := start.In(h.loc)
	for i := 0; i < 3700; i++ { // ten years of days at most; a window always exists
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, h.loc)
		if h.days[day.Weekday()] {
			open := day.Add(time.Duration(h.open) * time.Minute)
			shut := day.Add(time.Duration(h.shut) * time.Minute)
			if t.Before(open) {
				t = open
			}
			if t.Before(shut) {
				if left := shut.Sub(t); d <= left {
					return t.Add(d).UTC()
				}
				d -= shut.Sub(t)
			}
		}
		t = day.AddDate(0, 0, 1)
	}
	return t.UTC()
}
