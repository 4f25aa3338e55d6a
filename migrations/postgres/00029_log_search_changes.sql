-- +goose Up
-- SQLite's searches keep each word's list of threads in memory and read
-- this log to bring them up to date (see the SQLite migration). PostgreSQL
-- ranks inside the database and never writes it; it is kept so both
-- dialects share names.
CREATE TABLE post_search_changes (
    seq       BIGSERIAL PRIMARY KEY,
    thread_id BIGINT NOT NULL
);

-- A search result shows its thread's question: one index entry per thread
-- finds it, where the thread's index scanned all its posts for it.
CREATE INDEX posts_question ON posts (thread_id) WHERE is_question = 1;

-- +goose Down
SELECT 'forward only';
