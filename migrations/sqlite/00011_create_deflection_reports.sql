-- +goose Up
-- Deflection reports (issue 8): what readers did (views, survey answers,
-- contact clicks), each brand's report settings, and the roll-ups that keep
-- a 90-day report fast. Times are milliseconds since the epoch; a "day" is
-- whole UTC days since the epoch.

-- Per brand: where "Contact us" leads, what an assisted contact costs (in
-- minor units of the currency), the self-service rate assumed while too few
-- readers answered the survey (basis points: 1000 = 10%), and the agent SLA.
CREATE TABLE report_settings (
    brand_id               INTEGER PRIMARY KEY REFERENCES brands (id),
    contact_url            TEXT    NOT NULL DEFAULT '',
    cost_per_contact_minor INTEGER NOT NULL DEFAULT 600,
    currency               TEXT    NOT NULL DEFAULT 'EUR',
    assumed_rate_bp        INTEGER NOT NULL DEFAULT 1000,
    min_survey_answers     INTEGER NOT NULL DEFAULT 30,
    agent_sla_seconds      INTEGER NOT NULL DEFAULT 14400,
    updated_at             INTEGER NOT NULL
);

-- One row per thread, day and viewer. viewer_key is "u<member id>" or a
-- salted hash of address and user agent whose salt changes daily and is
-- then thrown away; raw addresses are never stored. counted = the thread was
-- solved when read and the reader was not its asker; rolled = the row is
-- currently added into report_view_rollup (under board_id).
CREATE TABLE thread_view_days (
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    day        INTEGER NOT NULL,
    viewer_key TEXT    NOT NULL,
    board_id   INTEGER NOT NULL,
    counted    INTEGER NOT NULL DEFAULT 0,
    rolled     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (thread_id, day, viewer_key)
);

-- Counted view-days per brand, board and day: what self-service deflection
-- multiplies. Kept up to date as views are written and as threads change.
CREATE TABLE report_view_rollup (
    brand_id INTEGER NOT NULL REFERENCES brands (id),
    day      INTEGER NOT NULL,
    board_id INTEGER NOT NULL,
    views    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand_id, day, board_id)
);

-- "Did this save you contacting us?": one answer per reader per thread.
CREATE TABLE deflection_survey (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    thread_id   INTEGER NOT NULL REFERENCES threads (id),
    viewer_key  TEXT    NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    saved       INTEGER NOT NULL,
    answered_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX deflection_survey_one ON deflection_survey (thread_id, viewer_key);
CREATE INDEX deflection_survey_brand_time ON deflection_survey (brand_id, answered_at);

-- Clicks on "Contact us" served through Mutual, with the thread the reader
-- came from (if any) and whether it was solved and theirs.
CREATE TABLE contact_clicks (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    viewer_key  TEXT    NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    thread_id   INTEGER REFERENCES threads (id),
    from_solved INTEGER NOT NULL DEFAULT 0,
    from_asker  INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL
);
CREATE INDEX contact_clicks_brand_time ON contact_clicks (brand_id, at);
CREATE INDEX contact_clicks_user ON contact_clicks (brand_id, user_id, at);

-- The current accepted answer of each solved thread: when it was accepted
-- (NULL for acceptances made before this table existed) and what the report
-- needs of the post, kept here so a report never reads the large posts table.
CREATE TABLE report_accepts (
    thread_id    INTEGER PRIMARY KEY REFERENCES threads (id),
    brand_id     INTEGER NOT NULL REFERENCES brands (id),
    post_id      INTEGER NOT NULL,
    post_staff   INTEGER NOT NULL DEFAULT 0,
    post_visible INTEGER NOT NULL DEFAULT 1,
    accepted_at  INTEGER
);
INSERT INTO report_accepts (thread_id, brand_id, post_id, post_staff, post_visible)
    SELECT t.id, t.brand_id, p.id, p.is_staff, CASE WHEN p.status = 'visible' THEN 1 ELSE 0 END
    FROM threads t JOIN posts p ON p.id = t.accepted_post_id;
CREATE INDEX report_accepts_post ON report_accepts (post_id);

-- The daily salt for anonymous viewer keys; old days are deleted.
CREATE TABLE report_salts (
    day  INTEGER PRIMARY KEY,
    salt TEXT    NOT NULL
);

-- The report reads a brand's threads by the time they were asked, through
-- threads_brand_created (brand_id, created_at DESC, id DESC), made in 00012
-- for the feeds as well.

-- +goose Down
SELECT 'forward only';
