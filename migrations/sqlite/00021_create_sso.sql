-- +goose Up
-- Single sign-on with OpenID Connect, per brand: the providers a brand's
-- admin configures, the identities that tie a provider's subject to a
-- member, the short-lived flows of a sign-in in progress, and whether the
-- brand still lets people join with a password.

-- A provider belongs to one brand. The client secret is kept to redeem
-- sign-in codes and is never shown back. trust_email: the admin vouches that
-- the provider controls its users' addresses (a company directory that
-- sends no email_verified claim, such as Entra ID).
CREATE TABLE sso_providers (
    id             INTEGER PRIMARY KEY,
    brand_id       INTEGER NOT NULL REFERENCES brands (id),
    label          TEXT    NOT NULL,
    issuer         TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    client_secret  TEXT    NOT NULL,
    username_claim TEXT    NOT NULL DEFAULT 'preferred_username',
    email_claim    TEXT    NOT NULL DEFAULT 'email',
    trust_email    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX sso_providers_label ON sso_providers (brand_id, label);

-- A provider's subject is one member of the provider's brand; a member has
-- at most one identity per provider.
CREATE TABLE sso_identities (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER NOT NULL REFERENCES brands (id),
    provider_id   INTEGER NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    subject       TEXT    NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_login_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX sso_identities_subject ON sso_identities (provider_id, subject);
CREATE UNIQUE INDEX sso_identities_user ON sso_identities (user_id, provider_id);

-- A sign-in in progress, keyed by the hash of the secret the browser holds
-- in a cookie. kind 'start': sent to the provider (nonce, PKCE verifier);
-- kind 'link': the provider vouched for someone whose verified address is
-- an existing member's, who must confirm with that member's password.
CREATE TABLE sso_flows (
    key_hash    TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    brand_id    INTEGER NOT NULL REFERENCES brands (id),
    provider_id INTEGER NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    nonce       TEXT    NOT NULL DEFAULT '',
    verifier    TEXT    NOT NULL DEFAULT '',
    next_url    TEXT    NOT NULL DEFAULT '/',
    subject     TEXT    NOT NULL DEFAULT '',
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sso_flows_expiry ON sso_flows (expires_at);

-- A brand without a row lets people join with a password.
CREATE TABLE sso_settings (
    brand_id        INTEGER PRIMARY KEY REFERENCES brands (id),
    password_signup INTEGER NOT NULL DEFAULT 1,
    updated_at      INTEGER NOT NULL
);

-- +goose Down
SELECT 'forward only';
