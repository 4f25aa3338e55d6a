-- +goose Up
-- SQLite's FTS merge tuning has no PostgreSQL counterpart; GIN indexes use
-- their pending list. Kept so both dialects share version numbers.
SELECT 1;

-- +goose Down
SELECT 'forward only';
