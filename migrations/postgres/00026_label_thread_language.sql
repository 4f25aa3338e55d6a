-- +goose Up
-- The SQLite migration of the same number explains these.
ALTER TABLE threads ADD COLUMN language TEXT NOT NULL DEFAULT '';
CREATE INDEX threads_board_language ON threads (board_id, language, last_activity_at DESC, id DESC);
CREATE INDEX threads_brand_language ON threads (brand_id, language);
CREATE INDEX threads_unlabelled ON threads (id) WHERE language = '';

-- +goose Down
SELECT 'forward only';
