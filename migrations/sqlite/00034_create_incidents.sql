-- +goose Up
-- Incidents: one problem many members hit at once (a burst the radar found,
-- or threads an agent picked), answered once for all of them.
CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY,
    brand_id         INTEGER NOT NULL REFERENCES brands (id),
    group_key        TEXT    NOT NULL, -- the radar's group; 'manual:<n>' for one raised by hand
    label            TEXT    NOT NULL,
    terms            TEXT    NOT NULL DEFAULT '', -- comma-separated: the burst's most unusual words
    places           TEXT    NOT NULL DEFAULT '', -- comma-separated: places the threads name
    board_ids        TEXT    NOT NULL DEFAULT '', -- comma-separated
    score            REAL    NOT NULL DEFAULT 0,
    source           TEXT    NOT NULL,            -- radar, agent
    raised_by        INTEGER REFERENCES users (id),
    status           TEXT    NOT NULL DEFAULT 'open', -- open, acknowledged, closed
    started_at       INTEGER NOT NULL,
    detected_at      INTEGER NOT NULL,
    raised_at        INTEGER NOT NULL,
    ack_due_at       INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    acknowledged_by  INTEGER REFERENCES users (id),
    status_thread_id INTEGER REFERENCES threads (id), -- the pinned "known issue" thread
    replies_by       INTEGER REFERENCES users (id),   -- the agent replying to every thread of the group
    reply_note       TEXT    NOT NULL DEFAULT '',     -- what they wrote above the link
    closed_at        INTEGER,
    closed_by        INTEGER REFERENCES users (id),
    outcome          TEXT    NOT NULL DEFAULT ''      -- resolved, resumed
);
-- One open incident per group: raising it again adds to it.
CREATE UNIQUE INDEX incidents_open_group ON incidents (brand_id, group_key) WHERE closed_at IS NULL;
CREATE INDEX incidents_brand ON incidents (brand_id, id);

CREATE TABLE incident_threads (
    incident_id   INTEGER NOT NULL REFERENCES incidents (id),
    thread_id     INTEGER NOT NULL REFERENCES threads (id),
    brand_id      INTEGER NOT NULL REFERENCES brands (id),
    added_at      INTEGER NOT NULL,
    reply_post_id INTEGER, -- the one staff reply linking to the status thread (0 while it is written)
    PRIMARY KEY (incident_id, thread_id)
);
CREATE INDEX incident_threads_thread ON incident_threads (thread_id);

CREATE TABLE incident_settings (
    brand_id        INTEGER PRIMARY KEY REFERENCES brands (id),
    ack_sla_seconds INTEGER NOT NULL DEFAULT 900,
    contacts        TEXT    NOT NULL DEFAULT '', -- comma-separated user ids of the brand's staff
    updated_at      INTEGER NOT NULL DEFAULT 0
);

-- A thread in an open incident waits for no peer: its peer SLA is paused
-- (the detector skips it) and the time paused is not counted when it resumes.
ALTER TABLE threads ADD COLUMN peer_sla_paused_at INTEGER;
ALTER TABLE threads ADD COLUMN peer_sla_paused_ms INTEGER NOT NULL DEFAULT 0;

-- The signed webhook also tells of incidents: a delivery belongs to an
-- escalation or to an incident. SQLite cannot drop NOT NULL in place, so the
-- outbox and its attempts are rebuilt.
CREATE TABLE escalation_webhooks_new (
    id              INTEGER PRIMARY KEY,
    brand_id        INTEGER NOT NULL REFERENCES brands (id),
    escalation_id   INTEGER REFERENCES escalations (id),
    incident_id     INTEGER REFERENCES incidents (id),
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    gave_up_at      INTEGER,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT ''
);
INSERT INTO escalation_webhooks_new (id, brand_id, escalation_id, event, payload, created_at, attempts, next_attempt_at,
    delivered_at, gave_up_at, last_status, last_error)
SELECT id, brand_id, escalation_id, event, payload, created_at, attempts, next_attempt_at,
    delivered_at, gave_up_at, last_status, last_error FROM escalation_webhooks;
CREATE TABLE escalation_webhook_attempts_new (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    webhook_id  INTEGER NOT NULL REFERENCES escalation_webhooks_new (id),
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL
);
INSERT INTO escalation_webhook_attempts_new (id, brand_id, webhook_id, at, status_code, error, duration_ms)
SELECT id, brand_id, webhook_id, at, status_code, error, duration_ms FROM escalation_webhook_attempts;
DROP TABLE escalation_webhook_attempts;
DROP TABLE escalation_webhooks;
ALTER TABLE escalation_webhooks_new RENAME TO escalation_webhooks;
ALTER TABLE escalation_webhook_attempts_new RENAME TO escalation_webhook_attempts;
CREATE INDEX escalation_webhooks_due ON escalation_webhooks (next_attempt_at, id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX escalation_webhooks_brand ON escalation_webhooks (brand_id, id);
CREATE INDEX escalation_webhook_attempts_brand ON escalation_webhook_attempts (brand_id, id);

-- +goose Down
SELECT 'forward only';
