"""The search index: passages in SQLite, keywords in FTS5, meaning in sqlite-vec, fused by RRF."""
