-- +goose Up
-- PostgreSQL's GIN indexes are maintained by the database; SQLite's FTS
-- index is filled in batches (see the sqlite migration of the same number).
SELECT 1;

-- +goose Down
SELECT 'forward only';
