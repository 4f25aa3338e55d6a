-- +goose Up
-- Fewer indexes written per kudos (issue 5's throughput target); see the
-- SQLite migration of the same number. PostgreSQL keeps its heap table.
DROP INDEX reputation_rollups_user;
DROP INDEX reputation_rollups_rank;
CREATE INDEX reputation_rollups_rank ON reputation_rollups (brand_id, board_id, period, start, points DESC, user_id) WHERE period <> 'd';

-- +goose Down
SELECT 'forward only';
