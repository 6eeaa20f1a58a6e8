"""The rule for sending an account's password to another host than the account's own (sites.py)."""

from __future__ import annotations

import pytest

from appliance.errors import InvalidInput
from appliance.organizer.caldav.sites import check_reachable, refusal

ICLOUD = "https://caldav.icloud.com/"


@pytest.mark.parametrize(
    "url",
    [
        "https://caldav.icloud.com/123/calendars/",  # the account's own origin
        "https://p07-caldav.icloud.com/123/calendars/",  # iCloud's home host
        "https://p07-caldav.icloud.com:8443/123/",  # another port on such a host
        "https://deep.p07.icloud.com/",
        "https://P07-CALDAV.iCloud.com./x/",  # case and the root's dot do not matter
    ],
)
def test_the_same_domain_over_https_is_followed(url: str) -> None:
    assert refusal(url, ICLOUD, pinned=False) is None


@pytest.mark.parametrize(
    ("url", "account", "reason"),
    [
        ("https://p07-caldav.icloud.com.evil.example/", ICLOUD, "own domain"),
        ("https://evil-icloud.com/", ICLOUD, "own domain"),
        ("https://icloud.com/", ICLOUD, "own domain"),  # the domain itself is not a host under it
        ("https://p07-caldav.fastmail.com/", ICLOUD, "own domain"),
        ("http://p07-caldav.icloud.com/", ICLOUD, "never plain http"),  # a downgrade
        ("http://caldav.icloud.com/", ICLOUD, "never plain http"),  # even on the same host
        ("https://p07.example.home/", "http://cal.example.home/", "never plain http"),
        ("https://17.248.1.1/", ICLOUD, "host name"),
        ("https://[2620:149::1]/", ICLOUD, "host name"),
        ("https://cal.example.com/", "https://192.168.1.5/", "host name"),
        ("https://other.com/", "https://icloud.com/", "own domain"),  # a two-label host has no domain to share
        ("https://nas/", "https://cal/", "own domain"),  # single-label names
        ("https://p07-caldav.icloud.com/", ICLOUD + "?pinned", "one certificate"),
        ("ftp://p07-caldav.icloud.com/", ICLOUD, "not a web address"),
    ],
)
def test_everything_else_is_refused(url: str, account: str, reason: str) -> None:
    pinned = account.endswith("?pinned")
    found = refusal(url, account.removesuffix("?pinned"), pinned=pinned)
    assert found is not None and reason in found


def test_the_same_origin_is_scheme_host_and_port() -> None:
    assert refusal("https://dav.example/a/", "https://dav.example:443/b", pinned=True) is None
    assert refusal("https://dav.example.evil/a", "https://dav.example/", pinned=True) is not None
    assert refusal("http://dav.example/a", "https://dav.example/", pinned=True) is not None
    assert refusal("https://dav.example:8443/a", "https://dav.example/", pinned=True) is not None


def test_a_pinned_account_still_reaches_its_own_origin() -> None:
    assert refusal("https://nas.local:5001/dav/", "https://nas.local:5001/", pinned=True) is None
    assert refusal("http://192.168.1.5:5232/ada/", "http://192.168.1.5:5232/", pinned=False) is None


def test_the_refusal_names_the_address() -> None:
    with pytest.raises(InvalidInput, match=r"pointed at https://evil\.example/x/; .*own domain"):
        check_reachable("https://evil.example/x/", ICLOUD, pinned=False)
