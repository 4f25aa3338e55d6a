-- +goose Up
-- Search ranks threads, not posts: one document per visible thread holding
-- its title, its question and its accepted answer, each in its own column so
-- a title match weighs more than a body match (forum/search_rank.go). The
-- brand is FTS4's languageid, so a brand's search never reads another
-- brand's postings. The tags column holds tokens such as _b12, _solved and
-- _unanswered: filters and the solved boost become part of the full-text
-- match instead of a join per matching row. A person's query can never
-- contain "_" (forum.searchTerms keeps letters and digits only), so nobody
-- can match a tag by typing it.
--
-- The names start with post_search so tools that skip the derived search
-- tables (migrate-store, its table check) skip these too.
CREATE VIRTUAL TABLE post_search_thread USING fts4(title, question, answer, tags,
    tokenize=unicode61 "remove_diacritics=2" "tokenchars=_", languageid="brand_id");
-- Merge segments a little at a time as documents are written (see 00004):
-- a query reads every segment, so fewer segments make searches faster.
INSERT INTO post_search_thread (post_search_thread) VALUES ('automerge=8');

-- Threads whose document must be (re)built. Asking and replying only add a
-- row here; the background indexer rebuilds documents in batches (an FTS
-- write inside every reply's transaction is what made posting slow before
-- migration 00005). Edits, accepted answers and moderation acts rebuild the
-- document inside their own transaction instead.
CREATE TABLE post_search_queue (
    thread_id INTEGER PRIMARY KEY
);
INSERT INTO post_search_queue (thread_id) SELECT id FROM threads;

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
