-- +goose Up
-- Notifications (issue 9): what members watch and follow, their in-app
-- notifications, the email outbox written in the same transaction as the
-- event, per-member preferences and the one-time unsolved reminders.

-- A member watching a thread hears about its replies. Asking or replying
-- watches automatically; unwatching keeps the row with muted = 1, so a later
-- reply by the same member does not silently watch it again.
CREATE TABLE notify_watches (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    muted      INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
-- Fan-out reads the watchers of one thread; the member's list reads theirs.
CREATE UNIQUE INDEX notify_watches_thread ON notify_watches (thread_id, user_id);
CREATE INDEX notify_watches_user ON notify_watches (user_id, id);

-- A member following a board hears about every new question in it.
CREATE TABLE notify_follows (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands (id),
    board_id   INTEGER NOT NULL REFERENCES boards (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX notify_follows_board ON notify_follows (board_id, user_id);
CREATE INDEX notify_follows_user ON notify_follows (user_id, id);

-- One row per thing a member should hear about. kind: reply, mention,
-- accepted, kudos, new_thread, reminder, moderation. group_key batches
-- repeats while unread (kudos on one post: "3 people gave kudos").
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT    NOT NULL,
    thread_id   INTEGER REFERENCES threads (id),
    post_id     INTEGER REFERENCES posts (id),
    actor_id    INTEGER REFERENCES users (id),
    actor_count INTEGER NOT NULL DEFAULT 1,
    act         TEXT    NOT NULL DEFAULT '', -- moderation act, e.g. post_hidden
    note        TEXT    NOT NULL DEFAULT '', -- moderation reason
    group_key   TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    emailed     INTEGER NOT NULL DEFAULT 0 -- sent alone or in a digest
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_post ON notifications (post_id, kind);
CREATE INDEX notifications_group ON notifications (user_id, group_key) WHERE read_at IS NULL AND group_key <> '';

-- Mail to send. kind: notification (one event, sent at once), digest (the
-- daily summary), verify (an address check). A worker claims due rows with
-- a lease and retries failures with growing delays.
CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY,
    brand_id        INTEGER NOT NULL REFERENCES brands (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    kind            TEXT    NOT NULL,
    notification_id INTEGER REFERENCES notifications (id),
    from_id         INTEGER NOT NULL DEFAULT 0, -- digest: notifications after this id
    upto_id         INTEGER NOT NULL DEFAULT 0, -- digest: ... up to this id
    status          TEXT    NOT NULL DEFAULT 'pending', -- pending, sent, failed, skipped
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX notify_outbox_due ON notify_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notify_outbox_notification ON notify_outbox (notification_id);
-- Pending verification per member (kept small: only verify rows).
CREATE INDEX notify_outbox_verify ON notify_outbox (user_id) WHERE kind = 'verify';

-- Per-member choices; a member without a row has the defaults (email
-- immediately, reminders on).
CREATE TABLE notify_prefs (
    id             INTEGER PRIMARY KEY,
    brand_id       INTEGER NOT NULL REFERENCES brands (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    email_mode     TEXT    NOT NULL DEFAULT 'immediate', -- immediate, daily, never
    reminders      INTEGER NOT NULL DEFAULT 1,
    digest_last_id INTEGER NOT NULL DEFAULT 0,
    digest_at      INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX notify_prefs_user ON notify_prefs (user_id);
CREATE INDEX notify_prefs_daily ON notify_prefs (email_mode, digest_at) WHERE email_mode = 'daily';

-- The one reminder an asker gets about replies to an unsolved question.
CREATE TABLE notify_reminders (
    id        INTEGER PRIMARY KEY,
    brand_id  INTEGER NOT NULL REFERENCES brands (id),
    thread_id INTEGER NOT NULL REFERENCES threads (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    sent_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX notify_reminders_thread ON notify_reminders (thread_id);

-- The reminder job scans unsolved, answered threads by their first reply.
CREATE INDEX threads_notify_unsolved ON threads (brand_id, first_reply_at, id) WHERE accepted_post_id IS NULL AND first_reply_at IS NOT NULL;

-- +goose Down
SELECT 'forward only';
