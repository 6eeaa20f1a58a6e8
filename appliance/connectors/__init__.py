"""Connectors to the household's outside services: one folder each under `services/`.

The framework signs members in (signin.py), keeps their tokens in the vault (tokens.py),
talks to services within budgets and Retry-After (http.py), runs syncs from a cursor
(sync.py, session.py) and disconnects (disconnect.py). The core never imports a connector
by name: the registry finds them.
"""

from appliance.connectors.connections import connectors, list_connections, open_items, synced_items
from appliance.connectors.disconnect import disconnect
from appliance.connectors.hub import ConnectorHub
from appliance.connectors.signin import paste, poll, start
from appliance.connectors.sync import push_change, sync_all, sync_now

__all__ = [
    "ConnectorHub",
    "connectors",
    "list_connections",
    "synced_items",
    "open_items",
    "start",
    "poll",
    "paste",
    "sync_now",
    "push_change",
    "sync_all",
    "disconnect",
]
