"""The shapes of the AI area that cross a boundary: keys, prices, preferences, usage, conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from appliance.ai.providers.base import Role

__all__ = [
    "Policy",
    "OverBudget",
    "KeyOption",
    "ProviderInfo",
    "ProviderKey",
    "ProviderKeyCreate",
    "ProviderKeyUpdate",
    "KeyTestResult",
    "ModelPrice",
    "PriceUpdate",
    "Preferences",
    "ProviderSpend",
    "UsageSummary",
    "LedgerEntry",
    "RequestRecord",
    "Outcome",
    "Source",
    "Conversation",
    "StoredMessage",
    "ConversationDetail",
    "ConversationCreate",
    "MessageCreate",
    "LOCAL",
    "MAX_MONTHLY_BUDGET_USD",
]

LOCAL = "local"
Policy = Literal["local_only", "local_first", "cheapest", "fixed"]
OverBudget = Literal["local", "refuse"]  # once the monthly budget is spent: the box answers, or Atom refuses
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://", max_length=500)]
ModelName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Price = Annotated[float, msgspec.Meta(ge=0, le=10_000)]


class KeyOption(msgspec.Struct, frozen=True, kw_only=True):
    """An extra setting a key for this provider takes (e.g. Azure's deployment), as the manifest words it."""

    name: str
    label: str
    hint: str


class ProviderInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    needs_key: bool
    needs_base_url: bool
    options: list[KeyOption]
    models: list[str]
    household_server: bool = False
    """A server a household may run itself: an admin may mark a household key for it as on their own network."""


class ProviderKey(msgspec.Struct, frozen=True, kw_only=True):
    """A configured provider, as its owner sees it: the key itself only ever masked."""

    id: str
    provider: str
    label: str
    shared: bool  # a household key, added by an admin
    base_url: str | None
    options: dict[str, str]
    default_model: str
    key_hint: str
    created_at: datetime
    updated_at: datetime
    address_changed_at: datetime | None = None
    """A household key: when an admin last pointed it at another server (everyone who uses it is shown)."""
    last_test_ok: bool | None = None
    """The last test's verdict (None: not tested yet); keys are tested when saved and by Test."""
    last_test: str = ""
    """That verdict in words, with the next step ("No internet on this box: …")."""
    last_tested_at: datetime | None = None
    on_own_network: bool = False
    """An admin said this household key's server is on the household's own network: it hears the
    household note (who lives here), as the model on this box does."""


class ProviderKeyCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    label: Label | None = None
    api_key: Secret | None = None
    base_url: Url | None = None
    options: dict[str, Annotated[str, msgspec.Meta(max_length=200)]] = {}
    default_model: ModelName | None = None
    shared: bool = False
    on_own_network: bool = False


class ProviderKeyUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    label: Label | None = None
    api_key: Secret | None = None
    base_url: Url | None = None
    options: dict[str, Annotated[str, msgspec.Meta(max_length=200)]] | None = None
    default_model: ModelName | None = None
    on_own_network: bool | None = None


class KeyTestResult(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    detail: str
    models: list[str] = []


class ModelPrice(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    model: str
    input_per_mtok: float
    output_per_mtok: float
    context: int
    edited: bool = False

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """US dollars for a request of this size: the one cost formula (routing, the ledger)."""
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1_000_000


class PriceUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    input_per_mtok: Price
    output_per_mtok: Price


MAX_MONTHLY_BUDGET_USD = 10_000  # a typo's extra zeros stop here; no household spends this on AI by intent


class Preferences(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    policy: Policy = "local_first"
    fixed_key: str | None = None  # a key id, or "local"; for the "fixed" policy
    fallbacks: list[Annotated[str, msgspec.Meta(max_length=64)]] = []  # key ids or "local", in order
    monthly_budget_usd: Annotated[float, msgspec.Meta(ge=0, le=MAX_MONTHLY_BUDGET_USD)] | None = None
    over_budget: OverBudget = "local"


class ProviderSpend(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


class UsageSummary(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    spend_usd: float
    premium_usd: float  # what the same requests would cost on the priciest configured model
    saving_usd: float
    budget_usd: float | None
    budget_spent: bool
    over_budget: OverBudget  # what happens while the budget is spent
    by_provider: list[ProviderSpend]


Outcome = Literal["ok", "error", "cancelled"]
Source = Literal["chat", "api", "ask"]  # what asked: the chat page, /v1, a question to the knowledge base


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    provider: str
    model: str
    key_id: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    premium_cost_usd: float
    latency_ms: float
    outcome: Outcome
    error: str = ""
    source: Source


class RequestRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One request as the ledger kept it, for the member's own usage page."""

    created_at: datetime
    provider: str
    model: str
    outcome: Outcome
    error: str
    cost_usd: float


# --- conversations ---------------------------------------------------------------------------

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Conversation(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime


class StoredMessage(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    role: Role
    content: str
    provider: str | None
    model: str | None
    created_at: datetime
    fallback: str | None = None
    """Why another AI answered than the one chosen (gateway.fallback_note); None when none failed."""


class ConversationDetail(msgspec.Struct, frozen=True, kw_only=True):
    conversation: Conversation
    messages: list[StoredMessage]


class ConversationCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title | None = None


class MessageCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    content: Annotated[str, msgspec.Meta(min_length=1, max_length=32_000)]
    model: Annotated[str, msgspec.Meta(max_length=200)] = "auto"  # "auto" or "provider/model"
    max_tokens: Annotated[int, msgspec.Meta(ge=1, le=8192)] | None = None
