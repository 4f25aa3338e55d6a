-- +goose Up
-- Posting checks the last minutes' posts for the same text (a member's
-- repeat, or a spam run from several accounts). Found by the text's first
-- 48 characters, each check reads the few posts that begin the same way,
-- where it read every post of the author's window and the newest thousand of
-- the site's (most of a busy server's posting time). Not led by brand_id, so
-- no other query of posts prefers it.
CREATE INDEX posts_text ON posts (substr(body_md, 1, 48), created_at);

-- +goose Down
SELECT 'forward only';
