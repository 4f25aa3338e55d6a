-- +goose Up
-- Members' data rights: an erased account keeps its row, so the ledger, the
-- reports and escalation history keep counting it, but the row loses
-- everything personal and says when that happened.
ALTER TABLE users ADD COLUMN erased_at INTEGER;

-- A username held after its account was erased, so nobody can take it over
-- at once. Only a hash of the brand and the lower-cased name is kept; the
-- row goes once the hold ends.
CREATE TABLE username_holds (
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    name_hash  TEXT    NOT NULL,
    held_until INTEGER NOT NULL,
    PRIMARY KEY (brand_id, name_hash)
);

-- Per brand: what happens to an erased member's posts (keep: they stay,
-- attributed to "a former member"; remove: their text is replaced), and how
-- many days an erased member's username stays unavailable.
CREATE TABLE privacy_settings (
    brand_id           INTEGER PRIMARY KEY REFERENCES brands (id),
    erased_posts       TEXT    NOT NULL DEFAULT 'keep',
    username_hold_days INTEGER NOT NULL DEFAULT 90,
    updated_at         INTEGER NOT NULL DEFAULT 0,
    updated_by         INTEGER REFERENCES users (id)
);

-- Rate-limit windows are now keyed by a hash of the address or login, so no
-- address is stored; the windows kept under plain keys last a minute.
DELETE FROM rate_counters;

-- The policy rows for the new pages (also in moderation/policy.csv, which
-- seeds a fresh database).
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'member', '*', 'account_data', 'export', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'member', '*', 'account_data', 'erase', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'admin', '*', 'member_data', 'export', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'admin', '*', 'member_data', 'erase', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'admin', '*', 'privacy', 'manage', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;

-- +goose Down
SELECT 'forward only';
