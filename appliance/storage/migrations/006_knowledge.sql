-- Knowledge: the household's notes and uploaded documents (their search index is a separate,
-- rebuildable SQLite file). owner is the member who wrote or uploaded it; shared makes it the
-- household's to read.
CREATE TABLE notes (
    id         VARCHAR PRIMARY KEY,
    owner      VARCHAR NOT NULL,
    title      VARCHAR NOT NULL,
    body       VARCHAR NOT NULL,           -- markdown
    shared     BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX notes_owner ON notes (owner);

-- The original file is kept in <data_dir>/documents/<id>; the text extracted from it is here.
CREATE TABLE documents (
    id         VARCHAR PRIMARY KEY,
    owner      VARCHAR NOT NULL,
    title      VARCHAR NOT NULL,
    filename   VARCHAR NOT NULL,
    media_type VARCHAR NOT NULL,
    size       BIGINT NOT NULL,
    sha256     VARCHAR NOT NULL,
    shared     BOOLEAN NOT NULL,
    text       VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_owner ON documents (owner);
