-- +goose Up
-- Full-text search over posts and thread titles with expression indexes; the
-- queries in forum/search.go use exactly these expressions.
CREATE INDEX posts_search ON posts USING GIN (to_tsvector('english', body_md));
CREATE INDEX threads_search ON threads USING GIN (to_tsvector('english', title));

-- +goose Down
SELECT 'forward only';
