"""The Litestar edge: app factory, identity, error mapping, live channel, routes."""

from appliance.server.app import create_app

__all__ = ["create_app"]
