-- +goose Up
-- Fewer pages written per kudos (issue 5's throughput target).
--
-- 1. The roll-ups are clustered by member: every award moves up to five rows
--    of one member (the brand's day, week and month; the board's all-time and
--    month), and keyed by period first they lay on five different pages. Keyed
--    (brand, member, start, board, period), a member's current rows share one
--    page, and their all-time rows (start 0) one more. Leaderboards read the
--    rank index, and the daily cap reads one row by its whole key, so no
--    query needs the old order.
-- 2. notifications_post served one query only, the check that a member is
--    not told twice of a mention in one post; it becomes a partial index of
--    mentions, so kudos, replies and the rest no longer write to it.
CREATE TABLE reputation_rollups_new (
    brand_id INTEGER NOT NULL REFERENCES brands (id),
    board_id INTEGER NOT NULL DEFAULT 0,
    period   TEXT    NOT NULL,
    start    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    points   INTEGER NOT NULL DEFAULT 0,
    kudos    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand_id, user_id, start, board_id, period)
) WITHOUT ROWID;
INSERT INTO reputation_rollups_new (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, board_id, period, start, user_id, points, kudos FROM reputation_rollups;
DROP TABLE reputation_rollups;
ALTER TABLE reputation_rollups_new RENAME TO reputation_rollups;
CREATE INDEX reputation_rollups_rank ON reputation_rollups (brand_id, board_id, period, start, points DESC, user_id) WHERE period <> 'd';

DROP INDEX notifications_post;
CREATE INDEX notifications_mention ON notifications (post_id, user_id) WHERE kind = 'mention';

-- +goose Down
SELECT 'forward only';
