-- +goose Up
-- Indexing each post inside its own transaction made every reply pay for a
-- new FTS segment and, now and then, a large merge (p99 of 2 s when
-- posting). Posts are now indexed in batches by forum.IndexSearch, which
-- remembers how far it got; everything already indexed counts as done.
DROP TRIGGER posts_search_insert;
INSERT INTO settings (key, value)
SELECT 'search_indexed_upto', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM posts WHERE true -- (SQLite needs a WHERE before an upsert's ON CONFLICT)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- +goose Down
SELECT 'forward only';
