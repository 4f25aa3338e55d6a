package reputation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Rules are a brand's reputation settings: what acts are worth, the caps,
// and the thresholds of the defences against gaming.
type Rules struct {
	KudosPoints     int64 // kudos received
	AcceptedPoints  int64 // your answer accepted
	AcceptingPoints int64 // accepting an answer to your question
	RescuePoints    int64 // answering an escalated thread before an agent claims it
	DailyCap        int64 // most points kudos can earn one member in a UTC day

	KudosPerDay        int64 // most kudos one member may give in a UTC day
	GiverMinAgeMinutes int64 // an account gives kudos once it is this old
	GiverMinPosts      int64 // ... and has written this many visible posts

	SerialWindowMinutes int64 // kudos from one member to another within this window
	SerialThreshold     int64 // ... this many or more are serial and reversed

	RingWindowDays int64 // kudos rings are looked for over this many days
	RingMinKudos   int64 // a ring gave each other at least this many kudos
	RingSharePct   int64 // ... each member at least this share of all they gave
	RingMaxSize    int64 // ... among at most this many accounts (see findRings)
}

// DefaultRules are the rules of a brand that has not set its own.
func DefaultRules() Rules {
	return Rules{
		KudosPoints: Points[KudosReceived], AcceptedPoints: Points[AnswerAccepted], AcceptingPoints: Points[AcceptedOther],
		RescuePoints: Points[PeerRescue], DailyCap: DailyCap,
		KudosPerDay: 50, GiverMinAgeMinutes: 60, GiverMinPosts: 1,
		SerialWindowMinutes: 24 * 60, SerialThreshold: 5,
		RingWindowDays: 30, RingMinKudos: 10, RingSharePct: 60, RingMaxSize: 6,
	}
}

// PointsFor returns what an act is worth under these rules.
func (r Rules) PointsFor(reason Reason) (int64, bool) {
	switch reason {
	case KudosReceived:
		return r.KudosPoints, true
	case AnswerAccepted:
		return r.AcceptedPoints, true
	case AcceptedOther:
		return r.AcceptingPoints, true
	case PeerRescue:
		return r.RescuePoints, true
	case ArticleCredit:
		return Points[ArticleCredit], true // not a brand setting: one article, one credit
	}
	return 0, false
}

// SerialWindow is the serial-kudos window as a duration.
func (r Rules) SerialWindow() time.Duration {
	return time.Duration(r.SerialWindowMinutes) * time.Minute
}

// GiverMinAge is the minimum account age for giving kudos.
func (r Rules) GiverMinAge() time.Duration { return time.Duration(r.GiverMinAgeMinutes) * time.Minute }

const rulesCols = `kudos_points, accepted_points, accepting_points, rescue_points, daily_cap, kudos_per_day,
giver_min_age_minutes, giver_min_posts, serial_window_minutes, serial_threshold,
ring_window_days, ring_min_kudos, ring_share_pct, ring_max_size`

func (r *Rules) fields() []any {
	return []any{&r.KudosPoints, &r.AcceptedPoints, &r.AcceptingPoints, &r.RescuePoints, &r.DailyCap, &r.KudosPerDay,
		&r.GiverMinAgeMinutes, &r.GiverMinPosts, &r.SerialWindowMinutes, &r.SerialThreshold,
		&r.RingWindowDays, &r.RingMinKudos, &r.RingSharePct, &r.RingMaxSize}
}

// LoadRules reads a brand's rules, or the defaults when it has none.
func LoadRules(ctx context.Context, q sqldb.Querier, brandID int64) (Rules, error) {
	var r Rules
	err := q.QueryRow(ctx, `SELECT `+rulesCols+` FROM reputation_settings WHERE brand_id = ?`, brandID).Scan(r.fields()...)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRules(), nil
	}
	if err != nil {
		return Rules{}, fmt.Errorf("reputation: rules of brand %d: %w", brandID, err)
	}
	return r, nil
}

// Rank is a named step on the reputation ladder.
type Rank struct {
	Name string
	Min  int64
}

// Ranks are the default ladder, lowest first.
var Ranks = []Rank{
	{"Newcomer", 0},
	{"Helper", 50},
	{"Expert", 500},
	{"Legend", 2000},
}

// RankFor returns the default ladder's rank for a reputation total.
func RankFor(rep int64) Rank { return RankIn(Ranks, rep) }

// RankIn returns the rank for rep on a ladder sorted lowest first; below the
// first step (a negative total) it is the first.
func RankIn(ladder []Rank, rep int64) Rank {
	if len(ladder) == 0 {
		return Rank{}
	}
	r := ladder[0]
	for _, x := range ladder {
		if rep >= x.Min {
			r = x
		}
	}
	return r
}

// Privileges are the reputation a brand asks before a member may post links
// or images, edit others' posts, or hold the trusted role (see and handle
// flags). They live on the brand row (brands.rep_*).
type Privileges struct {
	Links, Images, EditOthers, Trusted int64
}

// Config is everything a brand configures about reputation.
type Config struct {
	Rules      Rules
	Ranks      []Rank
	Privileges Privileges
}

// Rank returns the brand's rank for a total.
func (c Config) Rank(rep int64) Rank { return RankIn(c.Ranks, rep) }

// NextRank returns the next step above rep, and false at the top.
func (c Config) NextRank(rep int64) (Rank, bool) {
	for _, x := range c.Ranks {
		if x.Min > rep {
			return x, true
		}
	}
	return Rank{}, false
}

// LoadConfig reads a brand's rules, ranks and privilege thresholds.
func LoadConfig(ctx context.Context, q sqldb.Querier, brandID int64) (Config, error) {
	r, err := LoadRules(ctx, q, brandID)
	if err != nil {
		return Config{}, err
	}
	c := Config{Rules: r}
	err = q.QueryRow(ctx, `SELECT rep_links, rep_images, rep_edit_others, rep_trusted FROM brands WHERE id = ?`, brandID).
		Scan(&c.Privileges.Links, &c.Privileges.Images, &c.Privileges.EditOthers, &c.Privileges.Trusted)
	if err != nil {
		return Config{}, fmt.Errorf("reputation: privileges of brand %d: %w", brandID, err)
	}
	rows, err := q.Query(ctx, `SELECT name, min_rep FROM reputation_ranks WHERE brand_id = ? ORDER BY min_rep`, brandID)
	if err != nil {
		return Config{}, fmt.Errorf("reputation: ranks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k Rank
		if err := rows.Scan(&k.Name, &k.Min); err != nil {
			return Config{}, err
		}
		c.Ranks = append(c.Ranks, k)
	}
	if err := rows.Err(); err != nil {
		return Config{}, err
	}
	if len(c.Ranks) == 0 {
		c.Ranks = append([]Rank(nil), Ranks...)
	}
	return c, nil
}

// Validate checks a configuration before it is saved; its messages are
// worded for the reader of ctx, each field by its name on the settings page.
func (c Config) Validate(ctx context.Context) error {
	bad := map[string]string{}
	loc := i18n.From(ctx)
	check := func(field string, v, lo, hi int64) {
		if v < lo || v > hi {
			bad[field] = loc.T("repumsg.range", "Label", loc.T("rs."+field), "Lo", loc.Int(lo), "Hi", loc.Int(hi))
		}
	}
	r := c.Rules
	check("kudos_points", r.KudosPoints, 0, 1000)
	check("accepted_points", r.AcceptedPoints, 0, 1000)
	check("accepting_points", r.AcceptingPoints, 0, 1000)
	check("rescue_points", r.RescuePoints, 0, 1000)
	check("daily_cap", r.DailyCap, 0, 1_000_000)
	check("kudos_per_day", r.KudosPerDay, 1, 10_000)
	check("giver_min_age_minutes", r.GiverMinAgeMinutes, 0, 60*24*365)
	check("giver_min_posts", r.GiverMinPosts, 0, 1000)
	check("serial_window_minutes", r.SerialWindowMinutes, 1, 60*24*30)
	check("serial_threshold", r.SerialThreshold, 2, 1000)
	check("ring_window_days", r.RingWindowDays, 1, 365)
	check("ring_min_kudos", r.RingMinKudos, 2, 100_000)
	check("ring_share_pct", r.RingSharePct, 1, 100)
	check("ring_max_size", r.RingMaxSize, 2, 50)
	p := c.Privileges
	check("rep_links", p.Links, 0, 1_000_000_000)
	check("rep_images", p.Images, 0, 1_000_000_000)
	check("rep_edit_others", p.EditOthers, 0, 1_000_000_000)
	check("rep_trusted", p.Trusted, 0, 1_000_000_000)
	switch {
	case len(c.Ranks) == 0:
		bad["ranks"] = i18n.T(ctx, "repumsg.rank_none")
	case len(c.Ranks) > 20:
		bad["ranks"] = i18n.T(ctx, "repumsg.rank_many", "Max", 20)
	case c.Ranks[0].Min != 0:
		bad["ranks"] = i18n.T(ctx, "repumsg.rank_first")
	}
	seen := map[string]bool{}
	for i, k := range c.Ranks {
		n := utf8.RuneCountInString(k.Name)
		if n < 1 || n > 30 || !utf8.ValidString(k.Name) {
			bad["ranks"] = i18n.T(ctx, "repumsg.rank_name", "Max", 30)
		}
		if seen[strings.ToLower(k.Name)] {
			bad["ranks"] = i18n.T(ctx, "repumsg.rank_twice", "Name", k.Name)
		}
		seen[strings.ToLower(k.Name)] = true
		if i > 0 && k.Min <= c.Ranks[i-1].Min {
			bad["ranks"] = i18n.T(ctx, "repumsg.rank_up")
		}
	}
	if len(bad) > 0 {
		return &fault.ValidationError{Fields: bad}
	}
	return nil
}

// ParseRanks reads a ladder written one rank per line as "Name: 50" (or
// "Name 50"), lowest first.
func ParseRanks(ctx context.Context, s string) ([]Rank, error) {
	var out []Rank
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.LastIndexAny(line, ": \t=")
		if i <= 0 {
			return nil, &fault.ValidationError{Fields: map[string]string{"ranks": i18n.T(ctx, "repumsg.rank_no_number", "Line", line)}}
		}
		name := strings.TrimSpace(strings.TrimRight(line[:i], ": \t="))
		n, err := strconv.ParseInt(strings.TrimSpace(line[i+1:]), 10, 64)
		if err != nil || name == "" {
			return nil, &fault.ValidationError{Fields: map[string]string{"ranks": i18n.T(ctx, "repumsg.rank_not", "Line", line)}}
		}
		out = append(out, Rank{Name: name, Min: n})
	}
	return out, nil
}

// FormatRanks writes a ladder the way ParseRanks reads it.
func FormatRanks(ranks []Rank) string {
	var b strings.Builder
	for _, k := range ranks {
		fmt.Fprintf(&b, "%s: %d\n", k.Name, k.Min)
	}
	return b.String()
}

// SaveConfig stores a brand's configuration (validated) in the caller's
// transaction. by is the admin who changed it.
func SaveConfig(ctx context.Context, q Tx, brandID, by int64, c Config, at time.Time) error {
	if err := c.Validate(ctx); err != nil {
		return err
	}
	r := c.Rules
	vals := []any{brandID, r.KudosPoints, r.AcceptedPoints, r.AcceptingPoints, r.RescuePoints, r.DailyCap, r.KudosPerDay,
		r.GiverMinAgeMinutes, r.GiverMinPosts, r.SerialWindowMinutes, r.SerialThreshold,
		r.RingWindowDays, r.RingMinKudos, r.RingSharePct, r.RingMaxSize, at.UnixMilli(), nullID(by)}
	_, err := q.Exec(ctx, `INSERT INTO reputation_settings (brand_id, `+rulesCols+`, updated_at, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (brand_id) DO UPDATE SET kudos_points = excluded.kudos_points, accepted_points = excluded.accepted_points,
accepting_points = excluded.accepting_points, rescue_points = excluded.rescue_points, daily_cap = excluded.daily_cap,
kudos_per_day = excluded.kudos_per_day, giver_min_age_minutes = excluded.giver_min_age_minutes,
giver_min_posts = excluded.giver_min_posts, serial_window_minutes = excluded.serial_window_minutes,
serial_threshold = excluded.serial_threshold, ring_window_days = excluded.ring_window_days,
ring_min_kudos = excluded.ring_min_kudos, ring_share_pct = excluded.ring_share_pct, ring_max_size = excluded.ring_max_size,
updated_at = excluded.updated_at, updated_by = excluded.updated_by`, vals...)
	if err != nil {
		return fmt.Errorf("reputation: save rules: %w", err)
	}
	if err := q.SetPrivileges(ctx, brandID, c.Privileges); err != nil {
		return fmt.Errorf("reputation: save privileges: %w", err)
	}
	if _, err := q.Exec(ctx, `DELETE FROM reputation_ranks WHERE brand_id = ?`, brandID); err != nil {
		return fmt.Errorf("reputation: save ranks: %w", err)
	}
	for _, k := range c.Ranks {
		if _, err := q.Exec(ctx, `INSERT INTO reputation_ranks (brand_id, name, min_rep) VALUES (?, ?, ?)`, brandID, k.Name, k.Min); err != nil {
			return fmt.Errorf("reputation: save ranks: %w", err)
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
