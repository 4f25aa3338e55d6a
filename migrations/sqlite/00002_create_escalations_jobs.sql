-- +goose Up
-- How long a question may wait for a peer answer before agents are called in.
ALTER TABLE brands ADD COLUMN escalation_sla_seconds INTEGER NOT NULL DEFAULT 900;

-- One escalation per thread at most: the unique thread_id is what makes the
-- detector idempotent across runs and instances.
CREATE TABLE escalations (
    id           INTEGER PRIMARY KEY,
    brand_id     INTEGER NOT NULL REFERENCES brands (id),
    thread_id    INTEGER NOT NULL UNIQUE REFERENCES threads (id),
    status       TEXT    NOT NULL DEFAULT 'escalated', -- escalated, claimed, answered, resolved, cancelled
    priority     INTEGER NOT NULL DEFAULT 0,
    reason       TEXT    NOT NULL,
    escalated_at INTEGER NOT NULL,
    claimed_by   INTEGER REFERENCES users (id),
    claimed_at   INTEGER,
    closed_at    INTEGER,
    detector     TEXT    NOT NULL DEFAULT ''  -- which instance escalated it, for audit
);
CREATE INDEX escalations_queue ON escalations (brand_id, status, priority DESC, escalated_at);
CREATE INDEX threads_brand_unanswered ON threads (brand_id, created_at) WHERE first_reply_at IS NULL;

-- Background jobs. A worker claims a due job by taking its lease; a job whose
-- lease ran out (its instance died) is claimed again by another.
CREATE TABLE jobs (
    name        TEXT    PRIMARY KEY,
    run_after   INTEGER NOT NULL DEFAULT 0,
    owner       TEXT    NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    runs        INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL DEFAULT 0
);

-- Fixed-window counters for rate limits that must hold across instances
-- (sign-in attempts per address and per account).
CREATE TABLE rate_counters (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);

-- +goose Down
SELECT 'forward only';
