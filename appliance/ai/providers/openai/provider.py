"""OpenAI's Chat Completions API, bearer-key authenticated."""

from __future__ import annotations

from appliance.ai.providers._http import ProviderHttp, RetryPolicy
from appliance.ai.providers._openai_wire import ChatCompletionsProvider, Dialect, bearer
from appliance.ai.providers.base import ChatProvider, ProviderConfig

__all__ = ["create"]

# Reasoning models (o-series, gpt-5) refuse `max_tokens`; every current model takes this.
_DIALECT = Dialect(max_tokens_field="max_completion_tokens")


def create(config: ProviderConfig, *, retry: RetryPolicy | None = None) -> ChatProvider:
    http = ProviderHttp(config, headers=bearer(config.api_key), retry=retry)
    return ChatCompletionsProvider(http, dialect=_DIALECT)
