"""Azure OpenAI: `POST {resource}/openai/deployments/{deployment}/chat/completions?api-version=…`
with the key in the `api-key` header.

The deployment is the `deployment` option when set, else the request's model name
(deployments are usually named after their model). The model in the request still
names the price row.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from appliance.ai.providers._http import ProviderHttp, RetryPolicy
from appliance.ai.providers._openai_wire import ChatCompletionsProvider, Dialect
from appliance.ai.providers.base import ChatProvider, ChatRequest, ProviderConfig

__all__ = ["create", "DEFAULT_API_VERSION"]

DEFAULT_API_VERSION = "2024-10-21"  # the latest GA inference API
# API versions from this date on take `max_completion_tokens` (needed by o-series deployments).
_COMPLETION_TOKENS_SINCE = "2024-12-01"


def create(config: ProviderConfig, *, retry: RetryPolicy | None = None) -> ChatProvider:
    api_version = config.options.get("api_version") or DEFAULT_API_VERSION
    headers = {"api-key": config.api_key} if config.api_key else {}
    http = ProviderHttp(config, headers=headers, params={"api-version": api_version}, retry=retry)
    path = partial(_deployment_path, config.options.get("deployment"))
    return ChatCompletionsProvider(http, dialect=_dialect(api_version), chat_path=path)


def _dialect(api_version: str) -> Dialect:
    newer = api_version[:10] >= _COMPLETION_TOKENS_SINCE
    return Dialect(max_tokens_field="max_completion_tokens" if newer else "max_tokens", models_path="/openai/models")


def _deployment_path(deployment: str | None, request: ChatRequest) -> str:
    return f"/openai/deployments/{quote(deployment or request.model, safe='')}/chat/completions"
