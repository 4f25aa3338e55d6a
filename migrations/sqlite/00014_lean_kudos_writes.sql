-- +goose Up
-- Fewer b-trees written per kudos (issue 5's throughput target): every kudos
-- moves five roll-up rows, and each b-tree it touches is another page in the
-- commit.
--
-- 1. The roll-ups become a WITHOUT ROWID table clustered on their key, so a
--    row lives in one b-tree instead of a rowid table plus its key index.
-- 2. The rank index leaves out the day rows (period d): they exist for the
--    daily cap, which reads them by key, and no leaderboard ranks by day.
-- 3. reputation_rollups_user goes: no query reads roll-ups by member, and
--    members are never deleted (so no foreign key check needs it).
CREATE TABLE reputation_rollups_new (
    brand_id INTEGER NOT NULL REFERENCES brands (id),
    board_id INTEGER NOT NULL DEFAULT 0,
    period   TEXT    NOT NULL,
    start    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    points   INTEGER NOT NULL DEFAULT 0,
    kudos    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand_id, board_id, period, start, user_id)
) WITHOUT ROWID;
INSERT INTO reputation_rollups_new (brand_id, board_id, period, start, user_id, points, kudos)
SELECT brand_id, board_id, period, start, user_id, points, kudos FROM reputation_rollups;
DROP TABLE reputation_rollups;
ALTER TABLE reputation_rollups_new RENAME TO reputation_rollups;
CREATE INDEX reputation_rollups_rank ON reputation_rollups (brand_id, board_id, period, start, points DESC, user_id) WHERE period <> 'd';

-- +goose Down
SELECT 'forward only';
