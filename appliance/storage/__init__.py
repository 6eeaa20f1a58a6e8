"""The DuckDB owner: one connection, one write path, numbered migrations."""

from appliance.storage.database import Database, Reader, Writer, scalar
from appliance.storage.migrations import apply_migrations, schema_version

__all__ = ["Database", "Reader", "Writer", "apply_migrations", "schema_version", "scalar"]
