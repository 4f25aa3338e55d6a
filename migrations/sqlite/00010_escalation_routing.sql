-- +goose Up
-- Escalation routing, agents, per-brand settings and the webhook outbox
-- (issue 7). The lifecycle columns and escalation_events came with 00006.

-- Per-brand escalation settings beside brands.escalation_sla_seconds (the
-- peer SLA). A brand without a row uses the defaults in
-- moderation/escalation.DefaultSettings.
CREATE TABLE escalation_settings (
    brand_id               INTEGER PRIMARY KEY REFERENCES brands (id),
    resolution_sla_seconds INTEGER NOT NULL DEFAULT 172800, -- replies but no accepted answer, and "still need help"
    agent_sla_seconds      INTEGER NOT NULL DEFAULT 3600,   -- escalated -> agent answer before the SLA is breached
    claim_timeout_seconds  INTEGER NOT NULL DEFAULT 1800,   -- claimed without a reply -> back to the queue
    business_hours         TEXT    NOT NULL DEFAULT '',     -- e.g. "Mon-Fri 09:00-17:00"; empty = round the clock
    timezone               TEXT    NOT NULL DEFAULT 'UTC',
    language               TEXT    NOT NULL DEFAULT 'en',   -- routing skill the brand's threads need
    distress_terms         TEXT    NOT NULL DEFAULT '',     -- comma-separated; empty = built-in list
    fast_lane_terms        TEXT    NOT NULL DEFAULT '',     -- comma-separated; empty = built-in list
    webhook_url            TEXT    NOT NULL DEFAULT '',
    webhook_secret         TEXT    NOT NULL DEFAULT '',
    updated_at             INTEGER NOT NULL DEFAULT 0
);

-- A board may wait less (or longer) for peers than its brand.
ALTER TABLE boards ADD COLUMN escalation_sla_seconds INTEGER;

-- The asker pressed "Still need help" (escalates after the resolution SLA).
ALTER TABLE threads ADD COLUMN still_need_help_at INTEGER;
-- Set when the thread is escalated, so the detector's candidate indexes
-- shrink as it works: a tick reads candidates, never the whole forum.
ALTER TABLE threads ADD COLUMN escalated_at INTEGER;
CREATE INDEX threads_escalation_due ON threads (brand_id, created_at, id)
    WHERE first_peer_reply_at IS NULL AND escalated_at IS NULL AND external_id = ''
      AND status = 'visible' AND locked_at IS NULL;
CREATE INDEX threads_escalation_still ON threads (brand_id, still_need_help_at, id)
    WHERE still_need_help_at IS NOT NULL AND escalated_at IS NULL;

-- When the agent's answer is due, a peer reply that came after a claim (shown
-- highlighted in the console), and the note of the last hand-over.
ALTER TABLE escalations ADD COLUMN due_at INTEGER;
ALTER TABLE escalations ADD COLUMN peer_reply_at INTEGER;
ALTER TABLE escalations ADD COLUMN handover_note TEXT NOT NULL DEFAULT '';
CREATE INDEX escalations_assignee ON escalations (assigned_to, status) WHERE assigned_to IS NOT NULL;
CREATE INDEX escalations_claimed ON escalations (status, claimed_at) WHERE status = 'claimed';

-- Agents: skills (boards, languages) and shift, per brand. One person may
-- serve several brands (one account per brand); person (their e-mail or
-- username) ties the rows together so routing counts their load everywhere.
CREATE TABLE agents (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    person     TEXT    NOT NULL,
    boards     TEXT    NOT NULL DEFAULT '', -- comma-separated board ids; empty = every board
    languages  TEXT    NOT NULL DEFAULT '', -- comma-separated; empty = any
    on_shift   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (brand_id, user_id)
);
CREATE INDEX agents_shift ON agents (brand_id, on_shift);
CREATE INDEX agents_person ON agents (person);

-- Webhook outbox: written in the transaction of each transition, delivered
-- afterwards with retries, so a mirror never misses a committed change.
CREATE TABLE escalation_webhooks (
    id              INTEGER PRIMARY KEY,
    brand_id        INTEGER NOT NULL REFERENCES brands (id),
    escalation_id   INTEGER NOT NULL REFERENCES escalations (id),
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
CREATE INDEX escalation_webhooks_due ON escalation_webhooks (next_attempt_at, id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX escalation_webhooks_brand ON escalation_webhooks (brand_id, id);

-- Every delivery attempt, for the delivery log.
CREATE TABLE escalation_webhook_attempts (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    webhook_id  INTEGER NOT NULL REFERENCES escalation_webhooks (id),
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL
);
CREATE INDEX escalation_webhook_attempts_brand ON escalation_webhook_attempts (brand_id, id);

-- +goose Down
SELECT 'forward only';
