-- +goose Up
-- Content is not translated, but labelled: each thread records the language
-- it was asked in (a BCP 47 code such as en or es, or und when it could not
-- be told). The asker chooses it on the Ask form; the API, the importer and
-- the generator detect it (forum/lang). Threads written before this
-- migration start unlabelled ('') and are labelled by detection in Go once
-- the server starts (forum.LabelThreads), in batches, in the background.
ALTER TABLE threads ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- A board filtered by language reads its threads in activity order, as the
-- unfiltered board does with threads_board_activity; the brand's languages
-- (the filter's choices) are found by seeking along the same prefix.
CREATE INDEX threads_board_language ON threads (board_id, language, last_activity_at DESC, id DESC);
CREATE INDEX threads_brand_language ON threads (brand_id, language);

-- The threads still to label: empty once labelling has caught up.
CREATE INDEX threads_unlabelled ON threads (id) WHERE language = '';

-- +goose Down
SELECT 'forward only';
