-- +goose Up
-- The languages a brand offers (comma-separated tags; the default is one
-- of them) and the one a member reads and is mailed in ('' is "as my
-- browser says", and mail then goes in the brand's default).
ALTER TABLE brands ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE brands ADD COLUMN languages TEXT NOT NULL DEFAULT 'en';
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
SELECT 'forward only';
