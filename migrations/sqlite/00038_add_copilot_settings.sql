-- +goose Up
-- A brand's optional chat-completions model for the agent copilot: without
-- one, drafts quote the sources. The key is write-only in the pages.
CREATE TABLE copilot_settings (
    brand_id   INTEGER PRIMARY KEY REFERENCES brands (id),
    endpoint   TEXT   NOT NULL DEFAULT '',
    model      TEXT   NOT NULL DEFAULT '',
    api_key    TEXT   NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

-- +goose Down
SELECT 'forward only';
