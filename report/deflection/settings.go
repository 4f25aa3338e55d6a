// Package deflection computes the call-deflection report a client manager
// shows their board (DESIGN.md "Deflection: the words and the sums") and
// records what it needs that the forum does not: unique viewer-days, the
// "Did this save you contacting us?" answers, clicks on "Contact us" and when
// answers were accepted. It lives under moderation (STYLE.md) as its own
// package so its names stay apart from the moderation engine's.
package deflection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Settings are a brand's report settings.
type Settings struct {
	BrandID int64
	// ContactURL is the brand's own contact page; "Contact us" in the
	// community goes there through /contact so the click is counted.
	ContactURL string
	// CostPerContact is what one assisted contact costs, in minor units of
	// Currency (cents for EUR).
	CostPerContact int64
	Currency       string
	// AssumedRateBP is the self-service rate used while fewer than
	// MinSurveyAnswers readers answered the survey, in basis points.
	AssumedRateBP    int64
	MinSurveyAnswers int64
}

// SLAs are the answer-time targets the report measures against: how long a
// question waits for a peer before it escalates, and for an agent after. The
// brand's escalation settings own them; the caller passes them in.
type SLAs struct {
	Peer  time.Duration
	Agent time.Duration
}

// DefaultSettings are what a brand has until its admin saves others.
func DefaultSettings(brandID int64) Settings {
	return Settings{BrandID: brandID, CostPerContact: 600, Currency: "EUR", AssumedRateBP: 1000, MinSurveyAnswers: 30}
}

// LoadSettings returns the brand's settings (defaults when never saved).
func LoadSettings(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	s := DefaultSettings(brandID)
	err := q.QueryRow(ctx, `SELECT contact_url, cost_per_contact_minor, currency, assumed_rate_bp, min_survey_answers
		FROM report_settings WHERE brand_id = ?`, brandID).
		Scan(&s.ContactURL, &s.CostPerContact, &s.Currency, &s.AssumedRateBP, &s.MinSurveyAnswers)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("deflection: load settings: %w", err)
	}
	return s, nil
}

// SettingsForm is what an admin types on the settings page.
type SettingsForm struct {
	ContactURL       string
	CostPerContact   string // in major units: "6.50"
	Currency         string
	AssumedRatePct   string // "10" or "12.5"
	MinSurveyAnswers string
}

// FormOf shows settings the way the form takes them.
func FormOf(s Settings) SettingsForm {
	return SettingsForm{
		ContactURL:       s.ContactURL,
		CostPerContact:   FormatMinor(s.CostPerContact),
		Currency:         s.Currency,
		AssumedRatePct:   strconv.FormatFloat(float64(s.AssumedRateBP)/100, 'f', -1, 64),
		MinSurveyAnswers: strconv.FormatInt(s.MinSurveyAnswers, 10),
	}
}

// FormatMinor writes minor units as a decimal amount with two places.
func FormatMinor(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// CheckSettings validates the form without storing it. Errors:
// *fault.ValidationError with a message per field.
func CheckSettings(ctx context.Context, brandID int64, f SettingsForm) (Settings, error) {
	bad := map[string]string{}
	s := DefaultSettings(brandID)
	s.ContactURL = strings.TrimSpace(f.ContactURL)
	if s.ContactURL != "" {
		u, err := url.Parse(s.ContactURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s.ContactURL) > 500 {
			bad["contact_url"] = i18n.T(ctx, "repmsg.contact_url")
		}
	}
	cost, err := strconv.ParseFloat(strings.TrimSpace(f.CostPerContact), 64)
	if err != nil || cost < 0 || cost > 100000 || math.IsNaN(cost) {
		bad["cost"] = i18n.T(ctx, "repmsg.cost")
	}
	s.CostPerContact = int64(math.Round(cost * 100))
	s.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
	if len(s.Currency) != 3 || strings.IndexFunc(s.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		bad["currency"] = i18n.T(ctx, "repmsg.currency")
	}
	rate, err := strconv.ParseFloat(strings.TrimSpace(f.AssumedRatePct), 64)
	if err != nil || rate < 0 || rate > 100 || math.IsNaN(rate) {
		bad["rate"] = i18n.T(ctx, "repmsg.rate")
	}
	s.AssumedRateBP = int64(math.Round(rate * 100))
	minAns, err := strconv.ParseInt(strings.TrimSpace(f.MinSurveyAnswers), 10, 64)
	if err != nil || minAns < 1 || minAns > 100000 {
		bad["min_answers"] = i18n.T(ctx, "repmsg.min_answers")
	}
	s.MinSurveyAnswers = minAns
	if len(bad) > 0 {
		return s, &fault.ValidationError{Fields: bad}
	}
	return s, nil
}

// SaveSettings validates the form and stores it. The SLAs are not among
// them: the escalation settings own those. Errors: *fault.ValidationError
// with a message per field.
func SaveSettings(ctx context.Context, db *sqldb.DB, brandID int64, f SettingsForm, now time.Time) (Settings, error) {
	s, err := CheckSettings(ctx, brandID, f)
	if err != nil {
		return s, err
	}
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO report_settings (brand_id, contact_url, cost_per_contact_minor, currency, assumed_rate_bp, min_survey_answers, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (brand_id) DO UPDATE SET contact_url = excluded.contact_url, cost_per_contact_minor = excluded.cost_per_contact_minor,
				currency = excluded.currency, assumed_rate_bp = excluded.assumed_rate_bp, min_survey_answers = excluded.min_survey_answers,
				updated_at = excluded.updated_at`,
			brandID, s.ContactURL, s.CostPerContact, s.Currency, s.AssumedRateBP, s.MinSurveyAnswers, now.UnixMilli())
		return err
	})
	if err != nil {
		return s, fmt.Errorf("deflection: save settings: %w", err)
	}
	return s, nil
}
