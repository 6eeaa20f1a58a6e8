"""The main navigation: one list, in display order.

A capability that brings a page adds its entry here when it lands (Chat, Search,
Communication, Tasks, Calendar, Automations, Voice, Finance, Settings); there are
no placeholder entries for pages that do not exist yet.

Where an entry shows (`place`): "primary" entries are the everyday ones, always in sight;
everything else folds under "More" in the header, household pages first, then the "settings"
ones (accounts, the box, AI). A new entry lands under More unless it says otherwise, so the
header keeps fitting one line at desktop width however many pages arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from appliance.accounts.shapes import Principal

__all__ = ["NavItem", "NavLink", "NAVIGATION", "nav_for", "Navigation", "navigation_for"]


Place = Literal["primary", "more", "settings"]


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    admin_only: bool = False
    section: str | None = None  # a prefix it stands for, beyond its own path (Settings: /settings/)
    place: Place = "more"

    def is_current(self, path: str) -> bool:
        if self.path == "/":
            return path == "/"
        return path.startswith(self.section or self.path)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "/", place="primary"),
    NavItem("Chat", "/chat", place="primary"),
    NavItem("Tasks", "/tasks", place="primary"),
    NavItem("Calendar", "/calendar", place="primary"),
    NavItem("Search", "/search", place="primary"),
    NavItem("Notes", "/notes", place="primary"),
    NavItem("Documents", "/documents"),
    NavItem("Connections", "/connections"),
    NavItem("Voice", "/voice"),
    NavItem("Members", "/members", place="settings"),
    NavItem("My account", "/account", place="settings"),
    NavItem("System", "/system", place="settings"),
    NavItem("Settings", "/settings/ai", section="/settings/", place="settings"),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str
    current: bool
    place: Place = "more"


def nav_for(principal: Principal, path: str) -> list[NavLink]:
    """The entries this member may open, with the one for `path` marked current."""
    return [
        NavLink(item.label, item.path, item.is_current(path), item.place)
        for item in NAVIGATION
        if principal.is_admin or not item.admin_only
    ]


@dataclass(frozen=True)
class Navigation:
    """The header's entries for one member, split the way the header shows them."""

    primary: list[NavLink]
    more: list[NavLink]
    settings: list[NavLink]

    @property
    def more_is_current(self) -> bool:
        return any(link.current for link in self.more + self.settings)


def navigation_for(principal: Principal, path: str) -> Navigation:
    links = nav_for(principal, path)
    return Navigation(*([link for link in links if link.place == place] for place in ("primary", "more", "settings")))
