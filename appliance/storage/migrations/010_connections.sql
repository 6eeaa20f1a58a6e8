-- Connections to outside services (appliance/connectors): one per member and connector.
-- Tokens and pending sign-ins live in the vault; this row keeps what the page shows and the cursor.
CREATE TABLE connections (
    id             VARCHAR PRIMARY KEY,
    owner          VARCHAR NOT NULL,         -- the member; nobody else sees, syncs or removes it
    connector      VARCHAR NOT NULL,         -- the folder name under appliance/connectors/services
    state          VARCHAR NOT NULL,         -- signing-in, connected, syncing, needs-sign-in, error
    account        VARCHAR,                  -- who the member is at the service (a login), shown
    client_id      VARCHAR,                  -- the household's registered app, where the service needs one
    sign_in        VARCHAR NOT NULL,         -- device, token or pkce
    cursor         VARCHAR,                  -- JSON: where the next sync resumes (since, sync token, page)
    last_sync_at   TIMESTAMP,
    last_error     VARCHAR,                  -- what went wrong, in Atom's words
    error_action   VARCHAR,                  -- what the member can do about it
    retry_at       TIMESTAMP,                -- the service asked Atom to wait until then
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (owner, connector)
);

-- What a sync brought in: the service's item and the Atom record it became (an organizer task).
CREATE TABLE connector_items (
    connection_id  VARCHAR NOT NULL,
    owner          VARCHAR NOT NULL,
    remote_id      VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,         -- task
    local_id       VARCHAR NOT NULL,         -- the organizer task's id
    title          VARCHAR NOT NULL,
    url            VARCHAR,                  -- the item at the service
    remote_done    BOOLEAN NOT NULL,         -- closed at the service, as last seen or sent
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
);
CREATE INDEX connector_items_local ON connector_items (local_id);
