-- +goose Up
-- A member's standing, read by posting rules, notifications and email:
-- suspended until a time (NULL when not), banned (never posts again), and
-- whether their email address is verified (no mail to unverified ones).
ALTER TABLE users ADD COLUMN suspended_until INTEGER;
ALTER TABLE users ADD COLUMN suspend_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN banned_at INTEGER;
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

-- +goose Down
SELECT 'forward only';
