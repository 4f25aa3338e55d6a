-- +goose Up
-- Moderation (issue 6): flags on posts, the append-only audit log of every
-- act, and each brand's moderation settings.

-- One flag per member per post. Open while resolved_at IS NULL; a
-- moderator's decision resolves every open flag on the post at once.
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    reason      TEXT    NOT NULL, -- spam, abuse, off_topic, needs_staff
    note        TEXT    NOT NULL DEFAULT '',
    trusted     INTEGER NOT NULL DEFAULT 0, -- the flagger held trusted (or a staff role) when flagging
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES users (id),
    resolution  TEXT    NOT NULL DEFAULT '' -- approved, dismissed, hidden, deleted, edited
);
CREATE UNIQUE INDEX flags_once ON flags (post_id, user_id);
CREATE INDEX flags_open ON flags (brand_id, created_at, id) WHERE resolved_at IS NULL;

-- The audit log: who did what to what, why, and the state before and after.
-- Append-only; the triggers refuse changes and deletions.
CREATE TABLE moderation_actions (
    id             INTEGER PRIMARY KEY,
    brand_id       INTEGER NOT NULL REFERENCES brands (id),
    actor_id       INTEGER REFERENCES users (id), -- NULL for the system (auto-hide by flags)
    act            TEXT    NOT NULL,
    target_type    TEXT    NOT NULL, -- post, thread, user
    target_id      INTEGER NOT NULL,
    target_user_id INTEGER REFERENCES users (id), -- the member the act concerns
    reason         TEXT    NOT NULL DEFAULT '',
    before_json    TEXT    NOT NULL DEFAULT '{}',
    after_json     TEXT    NOT NULL DEFAULT '{}',
    created_at     INTEGER NOT NULL
);
CREATE INDEX moderation_actions_brand ON moderation_actions (brand_id, id DESC);
CREATE INDEX moderation_actions_actor ON moderation_actions (brand_id, actor_id, id DESC);
CREATE INDEX moderation_actions_act ON moderation_actions (brand_id, act, id DESC);
CREATE INDEX moderation_actions_member ON moderation_actions (brand_id, target_user_id, id DESC);
CREATE INDEX moderation_actions_target ON moderation_actions (target_type, target_id, id DESC);

-- +goose StatementBegin
CREATE TRIGGER moderation_actions_no_update BEFORE UPDATE ON moderation_actions
BEGIN SELECT RAISE(ABORT, 'moderation_actions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER moderation_actions_no_delete BEFORE DELETE ON moderation_actions
BEGIN SELECT RAISE(ABORT, 'moderation_actions is append-only'); END;
-- +goose StatementEnd

-- Per-brand settings. premod_posts: a new member's first N posts wait for
-- review (0 = off). flag_hide_at: open flags from trusted members that hide a
-- post pending review. mods_see_email: moderators may see members' email
-- addresses. staff_label: the badge on staff posts.
ALTER TABLE brands ADD COLUMN premod_posts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE brands ADD COLUMN flag_hide_at INTEGER NOT NULL DEFAULT 3;
ALTER TABLE brands ADD COLUMN mods_see_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE brands ADD COLUMN staff_label TEXT NOT NULL DEFAULT 'Staff';

-- The review queue's pre-moderated posts, oldest first.
CREATE INDEX posts_pending ON posts (brand_id, status, created_at, id) WHERE status = 'pending';
-- A member's held and removed posts, for their moderation history: a few
-- rows per member, so counting them never reads all their posts.
CREATE INDEX posts_author_unseen ON posts (author_id, status) WHERE status <> 'visible';
-- Spam-burst detection looks at the last few minutes of posts. (Not led by
-- brand_id: SQLite would then prefer it to posts_author for a member's posts.)
CREATE INDEX posts_recent ON posts (created_at);

-- +goose Down
SELECT 'forward only';
