"""Background jobs: a Huey queue in SQLite, consumed by `atom worker`.

Jobs never open DuckDB: they reach data through the server's control API
with the service token (see `client.py`).
"""
