-- The search index: a rebuildable copy of what the household's records say, in SQLite beside the
-- DuckDB database (which stays the source of truth). `atom knowledge reindex` rebuilds it.
CREATE TABLE IF NOT EXISTS chunks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a late embedding cannot land on a new chunk
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    audience    TEXT NOT NULL,                      -- owner_id, or '*' when shared with the household
    source      TEXT NOT NULL,
    title       TEXT NOT NULL,
    seq         INTEGER NOT NULL,                   -- the chunk's place in its record
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,                   -- unix seconds
    version     TEXT NOT NULL,                      -- sha256 of the record as indexed (for `check`)
    embedded    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_record ON chunks (record_type, record_id);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks (embedded) WHERE embedded = 0;
CREATE INDEX IF NOT EXISTS chunks_owner ON chunks (owner_id);

-- Keywords: BM25 over titles and text; rowid = chunks.id.
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(title, body, tokenize = 'porter unicode61');

-- Meaning: sign bits of each embedding for a fast first pass, filtered during the scan...
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vec USING vec0(
    id          INTEGER PRIMARY KEY,
    embedding   bit[{dims}],
    audience    TEXT,
    record_type TEXT,
    source      TEXT,
    updated_at  INTEGER
);
-- ...and the full vectors to re-score the candidates exactly.
CREATE TABLE IF NOT EXISTS chunk_vectors (
    id     INTEGER PRIMARY KEY,
    vector BLOB NOT NULL                            -- float32, L2-normalised
);

-- Which embedding model made the vectors: another model means vectors must be made again.
CREATE TABLE IF NOT EXISTS index_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every change to the vectors, in order, in the same transaction as the change: the in-memory copy
-- of the sign bits (index/signs.py) follows it. op: 1 stored, 0 deleted. Trimmed by the embedder.
CREATE TABLE IF NOT EXISTS vector_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id  INTEGER NOT NULL,
    op  INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS vector_stored AFTER INSERT ON chunk_vectors
BEGIN
    INSERT INTO vector_log (id, op) VALUES (new.id, 1);
END;
CREATE TRIGGER IF NOT EXISTS vector_deleted AFTER DELETE ON chunk_vectors
BEGIN
    INSERT INTO vector_log (id, op) VALUES (old.id, 0);
END;
