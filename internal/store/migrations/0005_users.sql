-- Users, their roles and case grants, and the credentials that prove who they are (docs/server.md).
-- Secrets are never stored: passwords as argon2id PHC strings, sessions and API tokens as the
-- SHA-256 of the random secret the holder presents.

CREATE TABLE users (
    name                 TEXT PRIMARY KEY,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    disabled             BOOLEAN NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           {{timestamp}} NOT NULL,
    updated_at           {{timestamp}} NOT NULL,
    password_changed_at  {{timestamp}} NOT NULL
);

-- Need-to-know: a user whose role does not cover every case sees a case only with a grant.
CREATE TABLE case_grants (
    user_name  TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at {{timestamp}} NOT NULL,
    PRIMARY KEY (user_name, case_id)
);

-- Browser sessions (kind 'session') and API tokens (kind 'token').
CREATE TABLE credentials (
    id            TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    user_name     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    label         TEXT NOT NULL,
    created_at    {{timestamp}} NOT NULL,
    expires_at    {{timestamp}} NOT NULL,
    last_used_at  {{timestamp}},
    revoked_at    {{timestamp}},
    revoked_by    TEXT NOT NULL
);

-- Consecutive failed logins per user name (also for names that do not exist, so that the
-- answer does not reveal which names do).
CREATE TABLE login_failures (
    user_name    TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure {{timestamp}} NOT NULL,
    locked_until {{timestamp}} NOT NULL
);
