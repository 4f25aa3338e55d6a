-- +goose Up
-- Where a merged question lands, its posts say where they came from: each
-- post moved by a merge keeps the thread it was first posted in, and the
-- merged thread keeps who merged it and when, so the thread page can mark
-- them "Merged from “Title” by moderator, date". Posts merged before this
-- migration carry no origin and show no mark.
ALTER TABLE posts ADD COLUMN merged_from INTEGER REFERENCES threads (id);
ALTER TABLE threads ADD COLUMN merged_by INTEGER REFERENCES users (id);
ALTER TABLE threads ADD COLUMN merged_at INTEGER;

-- +goose Down
SELECT 'forward only';
