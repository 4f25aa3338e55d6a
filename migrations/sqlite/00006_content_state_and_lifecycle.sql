-- +goose Up
-- Shared vocabulary the moderation, escalation, deflection and search work
-- all read. Each later issue adds its own tables in its own migration.

-- A post or thread is visible, pending (held for review), hidden (by a
-- moderator or by flags) or deleted (soft). Only visible content is shown
-- to members, searched, escalated or counted as an answer.
ALTER TABLE posts ADD COLUMN status TEXT NOT NULL DEFAULT 'visible';
-- The author held a staff role (agent, moderator, admin) when posting: staff
-- replies are marked and never count as peer answers.
ALTER TABLE posts ADD COLUMN is_staff INTEGER NOT NULL DEFAULT 0;

ALTER TABLE threads ADD COLUMN status TEXT NOT NULL DEFAULT 'visible';
ALTER TABLE threads ADD COLUMN locked_at INTEGER;
ALTER TABLE threads ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN merged_into INTEGER REFERENCES threads (id);
-- first_reply_at stays "first reply by anyone but the asker"; these split it
-- into peer and staff responses (Discourse counts both as one).
ALTER TABLE threads ADD COLUMN first_peer_reply_at INTEGER;
ALTER TABLE threads ADD COLUMN first_staff_reply_at INTEGER;
UPDATE threads SET first_peer_reply_at = first_reply_at;

-- Privileges reputation unlocks, per brand (DESIGN.md "Reputation"): the
-- reputation needed to post links, post images, edit others' posts, and to
-- hold the "trusted" role (see and handle flags, escalate for others).
ALTER TABLE brands ADD COLUMN rep_links INTEGER NOT NULL DEFAULT 10;
ALTER TABLE brands ADD COLUMN rep_images INTEGER NOT NULL DEFAULT 10;
ALTER TABLE brands ADD COLUMN rep_edit_others INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE brands ADD COLUMN rep_trusted INTEGER NOT NULL DEFAULT 500;

-- The escalation lifecycle (DESIGN.md): escalated -> assigned -> claimed ->
-- answered -> resolved, or cancelled / released / timed_out.
ALTER TABLE escalations ADD COLUMN kind TEXT NOT NULL DEFAULT 'sla'; -- sla, still_need_help, manual, fast_lane
ALTER TABLE escalations ADD COLUMN assigned_to INTEGER REFERENCES users (id);
ALTER TABLE escalations ADD COLUMN assigned_at INTEGER;
ALTER TABLE escalations ADD COLUMN answered_at INTEGER;
-- How it ended: agent (an agent answered and it was resolved),
-- peer_after_escalation (a peer answer was accepted after escalation),
-- late_peer (cancelled: a peer replied before any claim), withdrawn (thread
-- locked, hidden or deleted). Empty while open.
ALTER TABLE escalations ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
CREATE INDEX escalations_brand_time ON escalations (brand_id, escalated_at);

-- Every state change, append-only, with its time: the deflection reports and
-- the webhook mirror read this.
CREATE TABLE escalation_events (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER NOT NULL REFERENCES brands (id),
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    thread_id     INTEGER NOT NULL REFERENCES threads (id),
    state         TEXT    NOT NULL, -- escalated, assigned, claimed, released, answered, cancelled, resolved, timed_out
    actor_id      INTEGER REFERENCES users (id),
    note          TEXT    NOT NULL DEFAULT '',
    at            INTEGER NOT NULL
);
CREATE INDEX escalation_events_escalation ON escalation_events (escalation_id, at, id);
CREATE INDEX escalation_events_brand_time ON escalation_events (brand_id, at);

-- Suggestions opened from the Ask page: an asker who opens a similar solved
-- thread and then does not post was deflected at the moment of asking.
CREATE TABLE suggestion_opens (
    id              INTEGER PRIMARY KEY,
    brand_id        INTEGER NOT NULL REFERENCES brands (id),
    viewer_key      TEXT    NOT NULL, -- member id, or a salted daily hash; never a raw address
    user_id         INTEGER REFERENCES users (id),
    thread_id       INTEGER NOT NULL REFERENCES threads (id),
    opened_at       INTEGER NOT NULL,
    asked_thread_id INTEGER REFERENCES threads (id) -- set when the same asker posted anyway
);
CREATE INDEX suggestion_opens_brand_time ON suggestion_opens (brand_id, opened_at);
CREATE INDEX suggestion_opens_viewer ON suggestion_opens (brand_id, viewer_key, opened_at);

-- +goose Down
SELECT 'forward only';
