-- +goose Up
-- What each post says beyond its words, as package signals reads it: a
-- sentiment score (VADER compound, -1..1) when a lexicon exists for the
-- thread's language, and the churn or buying phrase it contains, if any.
-- Rows are derived: a post's row is rewritten when it is edited, and
-- posts written before this table are scored in the background.
CREATE TABLE post_signals (
    post_id      INTEGER PRIMARY KEY REFERENCES posts (id),
    brand_id     INTEGER NOT NULL REFERENCES brands (id),
    board_id     INTEGER NOT NULL REFERENCES boards (id),
    thread_id    INTEGER NOT NULL REFERENCES threads (id),
    author_id    INTEGER NOT NULL REFERENCES users (id),
    is_question  INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    language     TEXT    NOT NULL DEFAULT '',
    scored       INTEGER NOT NULL DEFAULT 0,
    sentiment    REAL    NOT NULL DEFAULT 0,
    churn_phrase TEXT    NOT NULL DEFAULT '',
    lead_phrase  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX post_signals_brand ON post_signals (brand_id, created_at);
CREATE INDEX post_signals_thread ON post_signals (thread_id, is_question);
CREATE INDEX post_signals_author ON post_signals (author_id);

-- Consent to be contacted by the brand's sales team: off until the member
-- turns it on (opt-in, as GDPR asks of marketing consent).
ALTER TABLE users ADD COLUMN marketing_opt_in INTEGER NOT NULL DEFAULT 0;

-- Mentions from other channels (a post on X, a Facebook comment), pushed
-- by a listening tool through the intake API. Each is a thread with the
-- status 'external': no page, list, feed or search shows it to members,
-- while sentiment, the radar and the escalation queue read it. The URL makes
-- a push idempotent.
ALTER TABLE threads ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE threads ADD COLUMN external_url TEXT NOT NULL DEFAULT '';
ALTER TABLE threads ADD COLUMN author_handle TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX threads_external_url ON threads (brand_id, external_url) WHERE external_url <> '';

-- +goose Down
SELECT 'forward only';
