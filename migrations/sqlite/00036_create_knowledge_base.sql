-- +goose Up
-- The knowledge base: articles grown from solved threads (package kb), and
-- the viewer-days of their readers that the deflection report counts
-- (package report/deflection), in the same way as solved threads' readers.
CREATE TABLE kb_articles (
    id             INTEGER PRIMARY KEY,
    brand_id       INTEGER NOT NULL REFERENCES brands (id),
    board_id       INTEGER NOT NULL REFERENCES boards (id),
    title          TEXT    NOT NULL,
    slug           TEXT    NOT NULL,
    body_md        TEXT    NOT NULL,
    body_html      TEXT    NOT NULL,
    tags           TEXT    NOT NULL DEFAULT '', -- space-separated, lower case
    state          TEXT    NOT NULL DEFAULT 'draft', -- draft, review, published
    proposer_id    INTEGER REFERENCES users (id), -- NULL once the proposer's account is erased
    revision_count INTEGER NOT NULL DEFAULT 1,
    review_note    TEXT    NOT NULL DEFAULT '', -- an editor's word when returning it to draft
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    published_at   INTEGER,
    review_by      INTEGER NOT NULL -- after this an editor is asked to look again
);
CREATE INDEX kb_articles_state ON kb_articles (brand_id, state, updated_at);

CREATE TABLE kb_article_revisions (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id),
    revision   INTEGER NOT NULL,
    editor_id  INTEGER REFERENCES users (id),
    title      TEXT    NOT NULL,
    body_md    TEXT    NOT NULL,
    body_html  TEXT    NOT NULL,
    tags       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- The solved threads an article was drafted from.
CREATE TABLE kb_article_sources (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id),
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    PRIMARY KEY (article_id, thread_id)
);
CREATE INDEX kb_article_sources_thread ON kb_article_sources (thread_id);

-- The members whose posts the article was drafted from.
CREATE TABLE kb_article_credits (
    article_id  INTEGER NOT NULL REFERENCES kb_articles (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    role        TEXT    NOT NULL, -- asker, answerer, replier
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    credited_at INTEGER, -- when the ledger credited them, on first publication
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX kb_article_credits_user ON kb_article_credits (brand_id, user_id);

-- Members' "this is out of date" reports.
CREATE TABLE kb_article_reports (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES kb_articles (id),
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    user_id     INTEGER REFERENCES users (id),
    note        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX kb_article_reports_once ON kb_article_reports (article_id, user_id) WHERE resolved_at IS NULL;
CREATE INDEX kb_article_reports_open ON kb_article_reports (brand_id, created_at) WHERE resolved_at IS NULL;

-- One row per viewer per article per day, as thread_view_days for threads.
CREATE TABLE article_view_days (
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    article_id INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    viewer_key TEXT    NOT NULL,
    board_id   INTEGER NOT NULL,
    PRIMARY KEY (article_id, day, viewer_key)
);
CREATE INDEX article_view_days_brand ON article_view_days (brand_id, day);

-- +goose Down
SELECT 'forward only';
