"""Atom's errors. Each one means a decision; the web edge maps them in one place.

AtomError
├── StartupRefused          Atom must not start: the operator has to act
│   ├── ConfigError         a setting or settings file is invalid
│   ├── MasterKeyError      encrypted data exists but its key is missing or wrong
│   └── DatabaseLocked      another process owns the DuckDB file
├── RequestError            the caller can fix it (4xx)
│   ├── InvalidInput        400: the request is well-formed but its values are not acceptable
│   │   └── AddressRefused  400: Atom will not connect to that address for this caller (see ai/outbound)
│   ├── AuthenticationRequired  401: no valid session or token
│   ├── PermissionDenied    403: signed in, but this needs another role (or a CSRF token)
│   ├── NotFound            404: absent, or not yours (the two look the same on purpose)
│   ├── Conflict            409: clashes with the current state (a taken name, setup already done)
│   ├── RequestTooLarge     413: an upload over the route's limit
│   ├── UnsupportedMediaType 415: the body is not in the form this route takes (JSON)
│   ├── Throttled           429: too many attempts; `retry_after` seconds to wait
│   └── BudgetExceeded      402: the monthly AI budget is spent and the member chose refusal
├── ServiceUnavailable      503: a part Atom needs (the server, the queue) is not reachable
├── ProviderError           an AI provider failed (its own tree is in its docstring)
├── ConnectorError          a connected service failed (its own tree is in its docstring)
├── UpgradeFailed           `atom upgrade` failed after stopping Atom; it says what it rolled back
└── ClientGone              499: the client hung up before its reply was ready; nobody reads it
"""

from __future__ import annotations

__all__ = [
    "AtomError",
    "StartupRefused",
    "ConfigError",
    "MasterKeyError",
    "DatabaseLocked",
    "RequestError",
    "InvalidInput",
    "AddressRefused",
    "AuthenticationRequired",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "Throttled",
    "UnsupportedMediaType",
    "RequestTooLarge",
    "ServiceUnavailable",
    "ProviderError",
    "KeyRejected",
    "RateLimited",
    "ProviderUnavailable",
    "ProviderRequestError",
    "ModelMissing",
    "ConnectorError",
    "SignInNeeded",
    "ServiceBusy",
    "ServiceFailed",
    "BudgetExceeded",
    "ClientGone",
    "UpgradeFailed",
]


class AtomError(Exception):
    """Base of every error Atom raises on purpose."""


class StartupRefused(AtomError):
    """Atom must not start until the operator acts on this message."""


class ConfigError(StartupRefused):
    pass


class MasterKeyError(StartupRefused):
    pass


class DatabaseLocked(StartupRefused):
    pass


class RequestError(AtomError):
    status_code = 400


class InvalidInput(RequestError):
    status_code = 400


class AddressRefused(InvalidInput):
    """An outside address Atom refuses to connect to: this box itself, or the household network
    for a member's own key. Raised before anything is sent."""


class AuthenticationRequired(RequestError):
    status_code = 401


class PermissionDenied(RequestError):
    status_code = 403


class NotFound(RequestError):
    status_code = 404


class Conflict(RequestError):
    status_code = 409


class RequestTooLarge(RequestError):
    status_code = 413


class UnsupportedMediaType(RequestError):
    status_code = 415


class Throttled(RequestError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(AtomError):
    status_code = 503


class ProviderError(AtomError):
    """An AI provider failed; the router decides whether to retry or fall back.

    ProviderError
    ├── KeyRejected          the provider refused the key (401/403): ask the user to fix it
    ├── RateLimited          429: wait `retry_after` seconds, or fall back now
    ├── ProviderUnavailable  5xx, timeouts, connection errors: retry, then fall back
    └── ProviderRequestError the provider refused this request (other 4xx): do not retry
    """

    status_code = 502

    def __init__(self, message: str, provider: str = "") -> None:
        super().__init__(message)
        self.provider = provider


class KeyRejected(ProviderError):
    pass


class RateLimited(ProviderError):
    status_code = 429

    def __init__(self, message: str, provider: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, provider)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    status_code = 503


class ProviderRequestError(ProviderError):
    status_code = 400


class ConnectorError(AtomError):
    """A connected service (appliance/connectors) failed; the sync runner decides what the member sees.

    ConnectorError
    ├── SignInNeeded   the grant was revoked or expired: the connection waits for the member to sign in again
    ├── ServiceBusy    429 or a Retry-After: wait `retry_after` seconds; the cursor keeps the place
    └── ServiceFailed  5xx, unreachable, or an answer Atom cannot read: try again at the next sync
    """

    status_code = 502


class SignInNeeded(ConnectorError):
    status_code = 409


class ServiceBusy(ConnectorError):
    status_code = 503

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceFailed(ConnectorError):
    pass


class ModelMissing(ServiceUnavailable):
    """A model is not installed, or its files are damaged; the message names the command that fixes it.

    A ServiceUnavailable (503 at the web edge): Atom runs, but this part of it cannot until an
    admin acts, e.g. "run `atom models install smollm2`".
    """


class BudgetExceeded(RequestError):
    """The member's monthly AI budget is spent and they chose a refusal over the local model."""

    status_code = 402


class ClientGone(AtomError):
    """The HTTP client hung up while its reply was being prepared; the work for it was stopped."""

    status_code = 499  # nginx's "client closed request": only logs ever see it


class UpgradeFailed(AtomError):
    """An upgrade failed once Atom was stopped; the message says whether the old release and data are back."""
