-- +goose Up
-- Reputation (issue 5): per-brand rules and ranks, the ledger's origin and
-- board columns, roll-ups kept in the same transaction as each ledger event,
-- serial-kudos reversal marks, and kudos rings flagged for moderators.

-- One row per brand; a brand without a row uses the defaults in
-- reputation.DefaultSettings (the same numbers as these column defaults).
CREATE TABLE reputation_settings (
    brand_id              INTEGER PRIMARY KEY REFERENCES brands (id),
    kudos_points          INTEGER NOT NULL DEFAULT 10,
    accepted_points       INTEGER NOT NULL DEFAULT 15,
    accepting_points      INTEGER NOT NULL DEFAULT 2,
    rescue_points         INTEGER NOT NULL DEFAULT 5,
    daily_cap             INTEGER NOT NULL DEFAULT 200,
    giver_min_age_minutes INTEGER NOT NULL DEFAULT 60,
    kudos_per_day         INTEGER NOT NULL DEFAULT 50,
    giver_min_posts       INTEGER NOT NULL DEFAULT 1,
    serial_window_minutes INTEGER NOT NULL DEFAULT 1440,
    serial_threshold      INTEGER NOT NULL DEFAULT 5,
    ring_window_days      INTEGER NOT NULL DEFAULT 30,
    ring_min_kudos        INTEGER NOT NULL DEFAULT 10,
    ring_share_pct        INTEGER NOT NULL DEFAULT 60,
    ring_max_size         INTEGER NOT NULL DEFAULT 6,
    updated_at            INTEGER NOT NULL DEFAULT 0,
    updated_by            INTEGER REFERENCES users (id)
);

-- A brand's named ranks; none means the default ladder.
CREATE TABLE reputation_ranks (
    id       INTEGER PRIMARY KEY,
    brand_id INTEGER NOT NULL REFERENCES brands (id),
    name     TEXT    NOT NULL,
    min_rep  INTEGER NOT NULL
);
CREATE UNIQUE INDEX reputation_ranks_min ON reputation_ranks (brand_id, min_rep);

-- origin: the act an event's points belong to (kudos_received,
-- answer_accepted, accepted_answer, peer_rescue); a withdrawal, removal or
-- reversal carries the origin of what it undoes. board_id: where the post
-- was when the points were earned (top helpers per board).
ALTER TABLE reputation_events ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE reputation_events ADD COLUMN board_id INTEGER;
UPDATE reputation_events SET origin = reason WHERE reason IN ('kudos_received', 'answer_accepted', 'accepted_answer');
UPDATE reputation_events SET board_id = (SELECT t.board_id FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = reputation_events.post_id)
WHERE post_id IS NOT NULL;
CREATE INDEX reputation_events_post ON reputation_events (post_id, user_id);
CREATE INDEX reputation_events_brand_time ON reputation_events (brand_id, created_at, id);
-- Serial-kudos detection counts one giver's kudos to one member in a window.
CREATE INDEX reputation_events_pair ON reputation_events (actor_id, user_id, created_at);

-- Sums of the ledger per member and period, maintained in the transaction
-- of every event: period d (UTC day), w (ISO week from Monday), m (calendar
-- month) for the whole brand (board_id 0); a (all time, start 0) and m per
-- board. kudos is the day's net from kudos (the daily cap reads it).
CREATE TABLE reputation_rollups (
    brand_id INTEGER NOT NULL REFERENCES brands (id),
    board_id INTEGER NOT NULL DEFAULT 0,
    period   TEXT    NOT NULL,
    start    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    points   INTEGER NOT NULL DEFAULT 0,
    kudos    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand_id, board_id, period, start, user_id)
);
CREATE INDEX reputation_rollups_rank ON reputation_rollups (brand_id, board_id, period, start, points DESC, user_id);
CREATE INDEX reputation_rollups_user ON reputation_rollups (user_id, period, start);

INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, 0, 'd', created_at - created_at % 86400000, user_id, SUM(delta),
       SUM(CASE WHEN origin = 'kudos_received' AND reason NOT IN ('post_removed', 'post_restored') THEN delta ELSE 0 END)
FROM reputation_events GROUP BY brand_id, created_at - created_at % 86400000, user_id;
INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, 0, 'w', (created_at - created_at % 86400000) - ((created_at / 86400000 + 3) % 7) * 86400000, user_id, SUM(delta), 0
FROM reputation_events GROUP BY 1, 2, 3, 4, 5;
INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, 0, 'm', CAST(strftime('%s', created_at / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000, user_id, SUM(delta), 0
FROM reputation_events GROUP BY 1, 2, 3, 4, 5;
INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, board_id, 'a', 0, user_id, SUM(delta), 0
FROM reputation_events WHERE board_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, board_id, 'm', CAST(strftime('%s', created_at / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000, user_id, SUM(delta), 0
FROM reputation_events WHERE board_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5;

-- All-time leaderboard straight from the cached totals.
CREATE INDEX users_reputation ON users (brand_id, reputation DESC, id);

-- A kudos found to be serial (one account kudosing another many times in a
-- short window): its points were reversed on the ledger and it no longer
-- counts in posts.kudos_count. NULL while it stands.
ALTER TABLE kudos ADD COLUMN reversed_at INTEGER;
CREATE INDEX kudos_post_time ON kudos (brand_id, created_at);

-- Replies sorted by kudos on the thread page.
CREATE INDEX posts_thread_kudos ON posts (thread_id, kudos_count DESC, id);

-- Small sets of accounts that mostly kudos each other, for moderators.
CREATE TABLE reputation_rings (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER NOT NULL REFERENCES brands (id),
    members_key   TEXT    NOT NULL, -- sorted member ids, comma-separated
    member_count  INTEGER NOT NULL,
    kudos_inside  INTEGER NOT NULL, -- kudos the members gave each other in the window
    kudos_given   INTEGER NOT NULL, -- all kudos the members gave in the window
    first_at      INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    detected_at   INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open', -- open, dismissed, confirmed
    reviewed_by   INTEGER REFERENCES users (id),
    reviewed_at   INTEGER,
    note          TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX reputation_rings_members ON reputation_rings (brand_id, members_key);
CREATE INDEX reputation_rings_status ON reputation_rings (brand_id, status, detected_at DESC, id DESC);

CREATE TABLE reputation_ring_members (
    ring_id INTEGER NOT NULL REFERENCES reputation_rings (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (ring_id, user_id)
);
CREATE INDEX reputation_ring_members_user ON reputation_ring_members (user_id);

-- The policy rows for the new pages (also in moderation/policy.csv, which
-- seeds a fresh database): added here only to a database whose policy was
-- seeded already, so a fresh one still gets the whole default.
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'anonymous', '*', 'leaderboard', 'read', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'moderator', '*', 'kudos_ring', 'review', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'admin', '*', 'reputation_export', 'read', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) SELECT 'p', 'client_manager', '*', 'reputation_export', 'read', 'allow', '' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT (ptype, v0, v1, v2, v3, v4, v5) DO NOTHING;

-- +goose Down
SELECT 'forward only';
