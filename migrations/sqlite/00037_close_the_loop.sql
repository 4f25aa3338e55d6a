-- +goose Up
-- Answers that come back from the brand's ticketing system. The secret signs
-- the brand's callbacks (HMAC-SHA256); after a rotation the previous one is
-- still accepted until previous_until, so the brand can change its side.
-- author_id is the staff account whose name the brand's answers are posted under.
CREATE TABLE ticketing_settings (
    brand_id        INTEGER PRIMARY KEY REFERENCES brands (id),
    secret          TEXT    NOT NULL DEFAULT '',
    previous_secret TEXT    NOT NULL DEFAULT '',
    previous_until  INTEGER NOT NULL DEFAULT 0,
    author_id       INTEGER REFERENCES users (id),
    rotated_at      INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
);

-- One row per callback applied: a retried delivery with the same case,
-- status, agent and text (digest) is recognised and changes nothing.
CREATE TABLE ticketing_updates (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER NOT NULL REFERENCES brands (id),
    case_id       TEXT    NOT NULL,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    digest        TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    agent_name    TEXT    NOT NULL,
    post_id       INTEGER,
    received_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX ticketing_updates_once ON ticketing_updates (brand_id, case_id, digest);
CREATE INDEX ticketing_updates_escalation ON ticketing_updates (escalation_id, id);

-- Signatures seen in the last minutes: the same signature twice is a replay.
CREATE TABLE ticketing_signatures (
    brand_id  INTEGER NOT NULL REFERENCES brands (id),
    signature TEXT    NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (brand_id, signature)
);
CREATE INDEX ticketing_signatures_age ON ticketing_signatures (seen_at);

-- What an imported reply was on the site it came from: an answer or a
-- comment (Stack Exchange). Replies written here are answers.
ALTER TABLE posts ADD COLUMN reply_kind TEXT NOT NULL DEFAULT 'answer';
-- Comments imported before the column existed are known by their external id.
UPDATE posts SET reply_kind = 'comment' WHERE external_id LIKE 'se:%:comment:%';

-- The deflection holdout: the share of askers (in basis points) who are not
-- shown suggestions while asking, and what each asker was exposed to.
ALTER TABLE report_settings ADD COLUMN holdout_bp INTEGER NOT NULL DEFAULT 0;
CREATE TABLE holdout_exposures (
    id        INTEGER PRIMARY KEY,
    brand_id  INTEGER NOT NULL REFERENCES brands (id),
    asker_key TEXT    NOT NULL,
    arm       TEXT    NOT NULL,
    event     TEXT    NOT NULL,
    thread_id INTEGER,
    at        INTEGER NOT NULL
);
CREATE INDEX holdout_exposures_brand ON holdout_exposures (brand_id, at, id);
CREATE INDEX holdout_exposures_asker ON holdout_exposures (brand_id, asker_key, at);

-- +goose Down
SELECT 'forward only';
