-- Secrets encrypted with per-user keys derived from the master key.
-- owner is a user id, or 'household' for secrets shared by the house.
CREATE TABLE vault_secrets (
    owner       VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    ciphertext  VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, name)
);

-- Facts about this installation, e.g. the fingerprint of its master key.
CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
