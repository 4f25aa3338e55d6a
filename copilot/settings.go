package copilot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Settings are a brand's optional chat-completions model. Without an
// endpoint the copilot drafts by quoting.
type Settings struct {
	Endpoint string // the full chat-completions URL
	Model    string
	APIKey   string
}

// On reports whether the brand has a model set up.
func (s Settings) On() bool { return s.Endpoint != "" }

// public is what pages and the audit log show: never the key.
func (s Settings) public() map[string]any {
	return map[string]any{"endpoint": s.Endpoint, "model": s.Model, "api_key_set": s.APIKey != ""}
}

// Settings reads the brand's model settings (none: the zero Settings).
func (s *Service) Settings(ctx context.Context, brandID int64) (Settings, error) {
	return settingsIn(ctx, s.db, brandID)
}

func settingsIn(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	var set Settings
	err := q.QueryRow(ctx, `SELECT endpoint, model, api_key FROM copilot_settings WHERE brand_id = ?`, brandID).
		Scan(&set.Endpoint, &set.Model, &set.APIKey)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("copilot: settings: %w", err)
	}
	return set, nil
}

// SaveSettings sets the brand's model, audited. An empty endpoint turns
// the model off; an empty key keeps the saved one (keys are never shown
// again once saved).
func (s *Service) SaveSettings(ctx context.Context, actor account.Actor, set Settings) (Settings, error) {
	set.Endpoint, set.Model, set.APIKey = strings.TrimSpace(set.Endpoint), strings.TrimSpace(set.Model), strings.TrimSpace(set.APIKey)
	if err := checkSettings(ctx, set); err != nil {
		return set, err
	}
	var saved Settings
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := settingsIn(ctx, tx, actor.BrandID)
		if err != nil {
			return err
		}
		if set.APIKey == "" && set.On() {
			set.APIKey = before.APIKey
		}
		if !set.On() {
			set = Settings{}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO copilot_settings (brand_id, endpoint, model, api_key, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (brand_id) DO UPDATE SET endpoint = excluded.endpoint, model = excluded.model, api_key = excluded.api_key, updated_at = excluded.updated_at`,
			actor.BrandID, set.Endpoint, set.Model, set.APIKey, s.now().Unix()); err != nil {
			return fmt.Errorf("copilot: save settings: %w", err)
		}
		saved = set
		if s.Audit == nil {
			return nil
		}
		return s.Audit(ctx, tx, actor, "copilot_settings", before.public(), set.public())
	})
	return saved, err
}

func checkSettings(ctx context.Context, set Settings) error {
	if !set.On() {
		return nil
	}
	fields := map[string]string{}
	if u, err := url.Parse(set.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(set.Endpoint) > 500 {
		fields["endpoint"] = i18n.T(ctx, "copilot.endpoint_invalid")
	}
	if set.Model == "" || len(set.Model) > 200 {
		fields["model"] = i18n.T(ctx, "copilot.model_required")
	}
	if len(set.APIKey) > 500 {
		fields["api_key"] = i18n.T(ctx, "copilot.key_too_long")
	}
	if len(fields) > 0 {
		return &fault.ValidationError{Fields: fields}
	}
	return nil
}
