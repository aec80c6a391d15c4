-- 004: accounts and API tokens of the bureau's HTTP API and console
--
-- gateway/api/accounts.c keeps these tables; skillctl user and skillctl
-- token write them too. Sessions and login lock-outs live in the daemon's
-- memory (a restart logs everyone out and lifts the lock-outs).
--
-- role: admin (accounts, tokens, everything), operator (send, campaigns,
-- imports, exports), viewer (read only). pwhash is libsodium's
-- crypto_pwhash_str (Argon2id, its parameters inside the string).
-- pw_changed_at: sessions opened before it end (a password change or a
-- disable logs the account out everywhere).
CREATE TABLE account (
	id		INTEGER PRIMARY KEY,
	username	TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 32),
	role		TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
	pwhash		TEXT NOT NULL,
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	pw_changed_at	INTEGER NOT NULL,
	last_login_at	INTEGER
);

-- Tokens for machines ("Authorization: Bearer sgw_ID_SECRET"): only a
-- BLAKE2b-256 hash of the secret is kept; the token is shown once, when it
-- is made. A revoked token stays listed with revoked_at.
CREATE TABLE api_token (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
	role		TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
	hash		BLOB NOT NULL CHECK (length(hash) = 32),
	created_by	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	last_used_at	INTEGER,
	revoked_at	INTEGER
);
CREATE UNIQUE INDEX api_token_name ON api_token(name) WHERE revoked_at IS NULL;
