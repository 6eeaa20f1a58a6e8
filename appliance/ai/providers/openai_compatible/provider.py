"""A Chat Completions server at a base URL of the household's choosing (often on the LAN).

The key is optional: most LAN servers take none, some sit behind a bearer token.
"""

from __future__ import annotations

from appliance.ai.providers._http import ProviderHttp, RetryPolicy
from appliance.ai.providers._openai_wire import ChatCompletionsProvider, bearer
from appliance.ai.providers.base import ChatProvider, ProviderConfig

__all__ = ["create"]


def create(config: ProviderConfig, *, retry: RetryPolicy | None = None) -> ChatProvider:
    http = ProviderHttp(config, headers=bearer(config.api_key), retry=retry)
    return ChatCompletionsProvider(http)
