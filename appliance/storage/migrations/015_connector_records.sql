-- What connectors bring into the search index (Notion pages, Dropbox files, Slack messages): the
-- text is kept here, so the index (a rebuildable copy) can be rebuilt and checked from it. Each
-- row also has its connector_items row (kind 'record'), which ties it to its connection.
CREATE TABLE connector_records (
    id           VARCHAR PRIMARY KEY,      -- the record's id in the search index
    owner        VARCHAR NOT NULL,         -- only they find it
    connector    VARCHAR NOT NULL,         -- the search result's source (the connector's name)
    title        VARCHAR NOT NULL,
    text         VARCHAR NOT NULL,
    url          VARCHAR,                  -- the item at the service
    updated_at   TIMESTAMP NOT NULL        -- as the service last changed it
);
