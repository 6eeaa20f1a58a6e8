"""DeepSeek's API: Chat Completions at https://api.deepseek.com, bearer-key authenticated."""

from __future__ import annotations

from appliance.ai.providers._http import ProviderHttp, RetryPolicy
from appliance.ai.providers._openai_wire import ChatCompletionsProvider, bearer
from appliance.ai.providers.base import ChatProvider, ProviderConfig

__all__ = ["create"]


def create(config: ProviderConfig, *, retry: RetryPolicy | None = None) -> ChatProvider:
    http = ProviderHttp(config, headers=bearer(config.api_key), retry=retry)
    return ChatCompletionsProvider(http)
