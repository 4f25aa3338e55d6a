-- +goose Up
-- Times are integer milliseconds since the Unix epoch (UTC) in both dialects,
-- so no SQL time functions are needed and comparisons are plain integers.
CREATE TABLE brands (
    id            INTEGER PRIMARY KEY,
    host          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    tagline       TEXT    NOT NULL DEFAULT '',
    logo_url      TEXT    NOT NULL DEFAULT '',
    color_primary TEXT    NOT NULL DEFAULT '#5b3cc4',
    color_accent  TEXT    NOT NULL DEFAULT '#ff6b4a',
    is_default    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX brands_one_default ON brands (is_default) WHERE is_default = 1;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER NOT NULL REFERENCES brands (id),
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL,
    email         TEXT    NOT NULL DEFAULT '',
    email_key     TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    bio           TEXT    NOT NULL DEFAULT '',
    reputation    INTEGER NOT NULL DEFAULT 0,
    external_id   TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (brand_id, username_key);
CREATE UNIQUE INDEX users_email ON users (brand_id, email_key) WHERE email_key <> '';
CREATE UNIQUE INDEX users_external ON users (brand_id, external_id) WHERE external_id <> '';

CREATE TABLE role_assignments (
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (brand_id, user_id, role)
);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY, -- SHA-256 of the cookie value; the value itself is never stored
    brand_id     INTEGER NOT NULL REFERENCES brands (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    brand_id     INTEGER NOT NULL REFERENCES brands (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    token_hash   TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE boards (
    id               INTEGER PRIMARY KEY,
    brand_id         INTEGER NOT NULL REFERENCES brands (id),
    slug             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    position         INTEGER NOT NULL DEFAULT 0,
    thread_count     INTEGER NOT NULL DEFAULT 0,
    post_count       INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX boards_slug ON boards (brand_id, slug);
CREATE INDEX boards_position ON boards (brand_id, position, id);

CREATE TABLE threads (
    id                  INTEGER PRIMARY KEY,
    brand_id            INTEGER NOT NULL REFERENCES brands (id),
    board_id            INTEGER NOT NULL REFERENCES boards (id),
    author_id           INTEGER NOT NULL REFERENCES users (id),
    title               TEXT    NOT NULL,
    slug                TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    last_activity_at    INTEGER NOT NULL,
    reply_count         INTEGER NOT NULL DEFAULT 0,
    accepted_post_id    INTEGER REFERENCES posts (id),
    first_reply_at      INTEGER, -- first reply by anyone but the asker; NULL while unanswered
    view_count          INTEGER NOT NULL DEFAULT 0,
    client_key          TEXT    NOT NULL DEFAULT '',
    external_id         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX threads_board_activity ON threads (board_id, last_activity_at DESC, id DESC);
CREATE INDEX threads_board_unanswered ON threads (board_id, last_activity_at DESC, id DESC) WHERE first_reply_at IS NULL;
CREATE INDEX threads_board_solved ON threads (board_id, last_activity_at DESC, id DESC) WHERE accepted_post_id IS NOT NULL;
CREATE INDEX threads_author ON threads (author_id, created_at DESC, id DESC);
CREATE INDEX threads_brand_activity ON threads (brand_id, last_activity_at DESC, id DESC);
CREATE UNIQUE INDEX threads_client_key ON threads (brand_id, author_id, client_key) WHERE client_key <> '';
CREATE UNIQUE INDEX threads_external ON threads (brand_id, external_id) WHERE external_id <> '';

CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    brand_id       INTEGER NOT NULL REFERENCES brands (id),
    thread_id      INTEGER NOT NULL REFERENCES threads (id),
    author_id      INTEGER NOT NULL REFERENCES users (id),
    is_question    INTEGER NOT NULL DEFAULT 0,
    body_md        TEXT    NOT NULL,
    body_html      TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    edited_at      INTEGER,
    revision_count INTEGER NOT NULL DEFAULT 1,
    kudos_count    INTEGER NOT NULL DEFAULT 0,
    client_key     TEXT    NOT NULL DEFAULT '',
    external_id    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX posts_thread ON posts (thread_id, created_at, id);
CREATE INDEX posts_author ON posts (author_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX posts_client_key ON posts (brand_id, author_id, client_key) WHERE client_key <> '';
CREATE UNIQUE INDEX posts_external ON posts (brand_id, external_id) WHERE external_id <> '';

CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    revision   INTEGER NOT NULL,
    editor_id  INTEGER NOT NULL REFERENCES users (id),
    title      TEXT    NOT NULL DEFAULT '',
    body_md    TEXT    NOT NULL,
    body_html  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (post_id, revision)
);

CREATE TABLE kudos (
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX kudos_user ON kudos (user_id, created_at);

-- Append-only: a reversal is a new event with the opposite delta.
CREATE TABLE reputation_events (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    delta      INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    post_id    INTEGER,
    actor_id   INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX reputation_events_user ON reputation_events (user_id, created_at, id);

CREATE TABLE casbin_rule (
    id    INTEGER PRIMARY KEY,
    ptype TEXT NOT NULL,
    v0    TEXT NOT NULL DEFAULT '',
    v1    TEXT NOT NULL DEFAULT '',
    v2    TEXT NOT NULL DEFAULT '',
    v3    TEXT NOT NULL DEFAULT '',
    v4    TEXT NOT NULL DEFAULT '',
    v5    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX casbin_rule_unique ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

-- +goose Down
SELECT 'forward only';
