-- +goose Up
-- Merge FTS segments a little at a time as posts are written, instead of in
-- one large merge inside some unlucky reply's transaction (a latency spike
-- for every writer queued behind it).
INSERT INTO post_search (post_search) VALUES ('automerge=8');

-- +goose Down
SELECT 'forward only';
