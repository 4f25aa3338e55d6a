-- +goose Up
-- Password reset. A row is one request for a link; the link's
-- token is minted when the outbox sends the mail (so it is never stored in
-- the clear, not even while the mail waits) and only its SHA-256 is kept.
-- A link works once, for an hour after it was sent. Every request writes a
-- row, whether or not it names an account, so its timing says nothing;
-- rows go after two days.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    user_id    INTEGER REFERENCES users (id), -- NULL: the request mailed nobody
    token_hash TEXT    UNIQUE,             -- NULL until the mail is sent
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0, -- set with the token
    used_at    INTEGER                     -- used, or voided by a newer password or address
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
CREATE INDEX password_resets_created ON password_resets (created_at);

-- API tokens may expire (0: never). last_used_at is kept coarsely, at most
-- one write a minute per token.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;

-- +goose Down
SELECT 'forward only';
