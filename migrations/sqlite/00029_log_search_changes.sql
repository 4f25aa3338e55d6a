-- +goose Up
-- Searches keep each queried word's list of threads in memory
-- (search/postings.go) instead of reading and scoring every matching
-- document for every query. This log says which threads' search documents
-- changed since a list was read, so the list is brought up to date instead
-- of read again. The indexer writes a row only when a document's text or
-- tags really changed (a reply to an answered thread changes neither), and
-- keeps the newest rows only.
CREATE TABLE post_search_changes (
    seq       INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL
);

-- A search result shows its thread's question: one index entry per thread
-- finds it, where the thread's index scanned all its posts for it.
CREATE INDEX posts_question ON posts (thread_id) WHERE is_question = 1;

-- +goose Down
SELECT 'forward only';
