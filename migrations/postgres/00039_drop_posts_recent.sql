-- +goose Up
-- posts_recent (created_at) served the spam-burst check, which since 00032
-- finds the last minutes' posts by their text (posts_text). No query reads
-- it now, and every post written paid for keeping it: about a page of WAL
-- per reply under load.
DROP INDEX IF EXISTS posts_recent;

-- +goose Down
SELECT 'forward only';
