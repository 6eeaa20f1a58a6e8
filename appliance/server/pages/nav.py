"""The main navigation: one list, in display order.

A capability that brings a page adds its entry here when it lands (Chat, Search,
Communication, Tasks, Calendar, Automations, Voice, Finance, Settings); there are
no placeholder entries for pages that do not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.accounts.shapes import Principal

__all__ = ["NavItem", "NAVIGATION", "nav_for"]


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    admin_only: bool = False
    section: str | None = None  # a prefix it stands for, beyond its own path (Settings: /settings/)

    def is_current(self, path: str) -> bool:
        if self.path == "/":
            return path == "/"
        return path.startswith(self.section or self.path)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "/"),
    NavItem("Chat", "/chat"),
    NavItem("Tasks", "/tasks"),
    NavItem("Calendar", "/calendar"),
    NavItem("Search", "/search"),
    NavItem("Notes", "/notes"),
    NavItem("Documents", "/documents"),
    NavItem("Members", "/members"),
    NavItem("My account", "/account"),
    NavItem("System", "/system"),
    NavItem("Settings", "/settings/ai", section="/settings/"),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str
    current: bool


def nav_for(principal: Principal, path: str) -> list[NavLink]:
    """The entries this member may open, with the one for `path` marked current."""
    return [
        NavLink(item.label, item.path, item.is_current(path))
        for item in NAVIGATION
        if principal.is_admin or not item.admin_only
    ]
