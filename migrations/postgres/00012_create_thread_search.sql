-- +goose Up
-- Search ranks threads, not posts: one row per visible thread with a
-- weighted tsvector (A title, B question, C accepted answer) and the columns
-- its filters need, kept in step by forum/search_index.go inside the
-- transaction of every change. The names match the SQLite migration.
CREATE TABLE post_search_thread (
    thread_id  BIGINT PRIMARY KEY REFERENCES threads (id),
    brand_id   BIGINT NOT NULL REFERENCES brands (id),
    board_id   BIGINT NOT NULL,
    solved     BIGINT NOT NULL DEFAULT 0,
    answered   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    doc        tsvector NOT NULL
);
CREATE INDEX post_search_thread_doc ON post_search_thread USING GIN (doc);

-- SQLite batches its index writes through this queue; PostgreSQL writes in
-- the changing transaction, so here it stays empty (kept so both dialects
-- share names and a rebuild can use it).
CREATE TABLE post_search_queue (
    thread_id BIGINT PRIMARY KEY
);

INSERT INTO post_search_thread (thread_id, brand_id, board_id, solved, answered, created_at, doc)
SELECT t.id, t.brand_id, t.board_id, CASE WHEN a.id IS NULL THEN 0 ELSE 1 END,
       CASE WHEN t.first_reply_at IS NULL THEN 0 ELSE 1 END, t.created_at,
       setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', q.body_md), 'B')
       || setweight(to_tsvector('english', COALESCE(a.body_md, '')), 'C')
FROM threads t
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
LEFT JOIN posts a ON a.id = t.accepted_post_id AND a.status = 'visible'
WHERE t.status = 'visible';

-- Feeds list the newest questions of a brand, a board, or the unanswered
-- ones (forum.FeedThreads): each reads its index in order and stops.
CREATE INDEX threads_brand_created ON threads (brand_id, created_at DESC, id DESC);
CREATE INDEX threads_board_created ON threads (board_id, created_at DESC, id DESC);
CREATE INDEX threads_brand_created_unanswered ON threads (brand_id, created_at DESC, id DESC) WHERE first_reply_at IS NULL;

-- Members may open Ask-page suggestions (recorded, see forum/discovery.go).
-- A database whose policy was seeded before this rule existed gets it here;
-- a fresh one is seeded from moderation/policy.csv, which has it.
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4)
SELECT 'p', 'member', '*', 'suggestion', 'open', 'allow' WHERE EXISTS (SELECT 1 FROM casbin_rule)
ON CONFLICT DO NOTHING;

-- +goose Down
SELECT 'forward only';
