-- +goose Up
-- The SQLite migration of the same number explains these columns.
ALTER TABLE posts ADD COLUMN merged_from BIGINT REFERENCES threads (id);
ALTER TABLE threads ADD COLUMN merged_by BIGINT REFERENCES users (id);
ALTER TABLE threads ADD COLUMN merged_at BIGINT;

-- +goose Down
SELECT 'forward only';
