"""Whether the credential behind a principal still holds, and until when.

Revocations close live channels at once through the event bus; this is the
re-check a long-lived channel makes as well, so a session that simply expires,
or any ending the bus was not told about, still ends the channel.
"""

from __future__ import annotations

from datetime import datetime

from appliance.accounts import sessions, tokens
from appliance.accounts.shapes import Principal
from appliance.storage import Database

__all__ = ["valid_until", "FOREVER"]

FOREVER = datetime.max


async def valid_until(db: Database, principal: Principal) -> datetime | None:
    """When the credential lapses unless used (FOREVER for tokens); None if it already has."""
    if principal.session_id is not None:
        return await sessions.session_expiry(db, principal.session_id)
    if principal.token_id is not None:
        return FOREVER if await tokens.token_active(db, principal.token_id) else None
    return FOREVER  # Atom's own service token lasts as long as its data folder
