-- Bring-your-own-key providers. The secret itself is in the vault (name 'provider-key:<id>').
-- owner is a user id, or 'household' for keys an admin shares with the house.
CREATE TABLE provider_keys (
    id            VARCHAR PRIMARY KEY,
    owner         VARCHAR NOT NULL,
    provider      VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    base_url      VARCHAR,
    options       VARCHAR NOT NULL DEFAULT '{}',   -- JSON object of provider options
    default_model VARCHAR NOT NULL,
    key_hint      VARCHAR NOT NULL DEFAULT '',     -- e.g. 'sk-…9f2c'
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX provider_keys_owner ON provider_keys (owner);

-- The admin's edits to the shipped price table (USD per million tokens).
CREATE TABLE model_prices (
    provider        VARCHAR NOT NULL,
    model           VARCHAR NOT NULL,
    input_per_mtok  DOUBLE NOT NULL,
    output_per_mtok DOUBLE NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, model)
);

-- Each member's routing policy and budget.
CREATE TABLE ai_preferences (
    user_id            VARCHAR PRIMARY KEY,
    policy             VARCHAR NOT NULL,
    fixed_key          VARCHAR,
    fallbacks          VARCHAR NOT NULL DEFAULT '[]',  -- JSON list of key ids, or 'local'
    monthly_budget_usd DOUBLE,
    over_budget        VARCHAR NOT NULL DEFAULT 'local',
    updated_at         TIMESTAMP NOT NULL
);

-- The ledger: one row per AI request, whatever its outcome.
CREATE TABLE ai_usage (
    id               VARCHAR PRIMARY KEY,
    user_id          VARCHAR NOT NULL,
    provider         VARCHAR NOT NULL,
    model            VARCHAR NOT NULL,
    key_id           VARCHAR,
    input_tokens     INTEGER NOT NULL,
    output_tokens    INTEGER NOT NULL,
    cost_usd         DOUBLE NOT NULL,
    premium_cost_usd DOUBLE NOT NULL,   -- the same tokens at the user's priciest configured model
    latency_ms       DOUBLE NOT NULL,
    outcome          VARCHAR NOT NULL,  -- ok, error, cancelled
    error            VARCHAR NOT NULL DEFAULT '',
    source           VARCHAR NOT NULL,  -- chat, api
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX ai_usage_user_time ON ai_usage (user_id, created_at);

-- Chat history, private to its member.
CREATE TABLE conversations (
    id         VARCHAR PRIMARY KEY,
    user_id    VARCHAR NOT NULL,
    title      VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX conversations_user ON conversations (user_id);

CREATE TABLE chat_messages (
    id              VARCHAR PRIMARY KEY,
    conversation_id VARCHAR NOT NULL,
    role            VARCHAR NOT NULL,
    content         VARCHAR NOT NULL,
    provider        VARCHAR,
    model           VARCHAR,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, created_at);
