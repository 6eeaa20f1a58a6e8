"""Where an account's password may go besides the account's own address: one narrow rule.

Some servers keep a member's calendars on another host than the one they sign in at: iCloud answers
at https://caldav.icloud.com/ and names a calendar home on https://p07-caldav.icloud.com/. Atom
follows such an address only when all of these hold:

- both the account's address and the other one are https (never a step down to plain http);
- both hosts are names, not IP addresses, and the account's host has at least three labels;
- the other host is in the account host's own domain: the account host less its first label
  (caldav.icloud.com → icloud.com), which must itself be a name of at least two labels;
- the account does not trust one pinned certificate of its own (trust.py): that trust is for
  the account's host alone and is not stretched to another.

The other host then meets every rule the account's own does: the same outbound-address check on
each connection, and a certificate a known authority signed for its name. Anything else is refused,
naming the address. The rule reads host names only; Atom keeps no public-suffix list, so it cannot
tell example.co.uk's "co.uk" from icloud.com: it trusts the account's own server, which alone can
name the other host, over a connection whose certificate was verified.
"""

from __future__ import annotations

import ipaddress

from appliance.ai.outbound import split_url
from appliance.errors import InvalidInput

__all__ = ["refusal", "check_reachable"]


def refusal(url: str, account_url: str, *, pinned: bool) -> str | None:
    """Why the account's password must not go to `url`; None when it may (same origin, or the rule above)."""
    try:
        (host, port), (home, home_port) = split_url(url), split_url(account_url)
    except InvalidInput:
        return "it is not a web address"
    scheme, account_scheme = _scheme(url), _scheme(account_url)
    if (scheme, host.lower(), port) == (account_scheme, home.lower(), home_port):
        return None
    if scheme != "https" or account_scheme != "https":
        return "only https addresses are followed to another host, never plain http"
    if pinned:
        return "the account trusts one certificate of its own server's, which is not stretched to another host"
    if _is_ip(host) or _is_ip(home):
        return "it is not on a host name in the account server's own domain"
    return None if _in_domain(_labels(host), _labels(home)) else "it is not in the account server's own domain"


def check_reachable(url: str, account_url: str, *, pinned: bool) -> None:
    """InvalidInput naming `url` when the rule refuses it."""
    reason = refusal(url, account_url, pinned=pinned)
    if reason is not None:
        raise InvalidInput(f"the CalDAV server pointed at {url[:200]}; Atom does not send the password there: {reason}")


def _in_domain(host: list[str], account_host: list[str]) -> bool:
    if len(account_host) < 3:  # icloud.com's parent would be "com": no domain of its own to share
        return False
    domain = account_host[1:]
    return len(host) > len(domain) and host[-len(domain) :] == domain


def _labels(host: str) -> list[str]:
    return host.lower().rstrip(".").split(".")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].strip().lower()
