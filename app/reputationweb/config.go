package reputationweb

import (
	"context"
	"sync"
	"time"

	"mutual/reputation"
)

// configTTL bounds how long another instance's change to a brand's ranks or
// rules takes to show here; this instance forgets at once on save.
const configTTL = 10 * time.Second

type cachedConfig struct {
	cfg reputation.Config
	at  time.Time
}

// configCache holds each brand's reputation configuration: every thread page
// needs its rank ladder, and it changes rarely.
type configCache struct {
	m sync.Map // brand id -> cachedConfig
}

// config is the brand's reputation configuration, from the cache while fresh.
func (h *Handlers) config(ctx context.Context, brandID int64) (reputation.Config, error) {
	if v, ok := h.configs.m.Load(brandID); ok && time.Since(v.(cachedConfig).at) < configTTL {
		return v.(cachedConfig).cfg, nil
	}
	cfg, err := reputation.LoadConfig(ctx, h.db, brandID)
	if err != nil {
		return reputation.Config{}, err
	}
	h.configs.m.Store(brandID, cachedConfig{cfg: cfg, at: time.Now()})
	return cfg, nil
}

// forget drops the brand's cached configuration after a save.
func (h *Handlers) forget(brandID int64) { h.configs.m.Delete(brandID) }
