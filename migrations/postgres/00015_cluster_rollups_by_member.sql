-- +goose Up
-- The SQLite migration of the same number explains both changes. PostgreSQL
-- keeps a heap table; its primary key index in member order keeps a
-- member's roll-up entries on the same index pages.
ALTER TABLE reputation_rollups DROP CONSTRAINT reputation_rollups_pkey;
ALTER TABLE reputation_rollups ADD PRIMARY KEY (brand_id, user_id, start, board_id, period);

DROP INDEX notifications_post;
CREATE INDEX notifications_mention ON notifications (post_id, user_id) WHERE kind = 'mention';

-- +goose Down
SELECT 'forward only';
