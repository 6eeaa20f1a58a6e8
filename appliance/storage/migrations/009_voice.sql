-- Voice satellites: devices paired to speak for the household or for one member, in one room.
-- Like an API token, a satellite's device token is shown once and kept only as its sha256.
CREATE TABLE voice_satellites (
    id           VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    room         VARCHAR NOT NULL,
    user_id      VARCHAR,                  -- the member it acts as; NULL: the household
    token_hash   VARCHAR NOT NULL UNIQUE,  -- sha256 of the device token
    prefix       VARCHAR NOT NULL,         -- first characters, to recognise it in a list
    created_by   VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP,
    last_address VARCHAR
);
CREATE INDEX voice_satellites_user ON voice_satellites (user_id);
