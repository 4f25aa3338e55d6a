-- +goose Up
-- The emerging-issue radar (package radar). Each new thread is signed
-- (MinHash) and put in a group of near-duplicates through its LSH bands;
-- a periodic pass rolls thread terms into daily counts and looks for groups
-- arriving faster than usual for the hour of the week.
CREATE TABLE radar_groups (
    id INTEGER PRIMARY KEY,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    board_id INTEGER NOT NULL,
    thread_id INTEGER NOT NULL, -- the first thread: its title names the group
    title TEXT NOT NULL,
    threads INTEGER NOT NULL DEFAULT 0,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL
);
CREATE INDEX radar_groups_brand_last ON radar_groups (brand_id, last_at);

CREATE TABLE radar_threads (
    thread_id INTEGER PRIMARY KEY,
    brand_id INTEGER NOT NULL,
    board_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    sig BLOB NOT NULL,
    terms TEXT NOT NULL,  -- distinct words and word pairs, one per line
    places TEXT NOT NULL, -- place-like names, one per line
    rolled INTEGER NOT NULL DEFAULT 0 -- counted into radar_term_days
);
CREATE INDEX radar_threads_brand_time ON radar_threads (brand_id, created_at);
CREATE INDEX radar_threads_group_time ON radar_threads (group_id, created_at);
CREATE INDEX radar_threads_unrolled ON radar_threads (thread_id) WHERE rolled = 0;

-- One row per (brand, LSH band key, group); a newcomer reaching a group
-- through a band is compared with the group's first thread.
CREATE TABLE radar_bands (
    brand_id INTEGER NOT NULL,
    band_key INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    PRIMARY KEY (brand_id, band_key, group_id)
);

-- Threads per board and UTC day containing each term; term '' counts all
-- threads of that board and day.
CREATE TABLE radar_term_days (
    brand_id INTEGER NOT NULL,
    board_id INTEGER NOT NULL,
    day INTEGER NOT NULL, -- days since 1970-01-01
    term TEXT NOT NULL,
    threads INTEGER NOT NULL,
    PRIMARY KEY (brand_id, day, board_id, term)
);
CREATE INDEX radar_term_days_term ON radar_term_days (brand_id, term, day);

-- Bursts the radar raised, as the default alarm records them.
CREATE TABLE radar_bursts (
    id INTEGER PRIMARY KEY,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    group_key TEXT NOT NULL,
    label TEXT NOT NULL,
    terms TEXT NOT NULL,
    board_ids TEXT NOT NULL,
    places TEXT NOT NULL,
    thread_ids TEXT NOT NULL,
    threads INTEGER NOT NULL,
    score REAL NOT NULL,
    started_at INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX radar_bursts_brand ON radar_bursts (brand_id, detected_at);
CREATE INDEX radar_bursts_group ON radar_bursts (brand_id, group_key, updated_at);

-- +goose Down
SELECT 'forward only';
