"""`atom knowledge reindex|check`: rebuild the search index, or report what it lacks.

Like the other admin commands, these work on the data folder directly when no server runs and
through the server's control API when one does (it owns the database and the index).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import msgspec

from appliance.cli_admin import dispatch
from appliance.knowledge import IndexReport, check_index, reindex
from appliance.settings import Settings

__all__ = ["add_knowledge_commands"]

_EMBED_TIMEOUT = 24 * 3600.0


def add_knowledge_commands(commands: Any) -> None:
    group = commands.add_parser("knowledge", help="the search index").add_subparsers(title="knowledge commands")
    group.add_parser("reindex", help="rebuild the search index from every record").set_defaults(run=_reindex)
    group.add_parser("check", help="report records missing or stale in the index").set_defaults(run=_check)


def _reindex(_: argparse.Namespace, settings: Settings) -> int:
    async def offline(rt: Any) -> int:
        count = await reindex(rt.db, rt.knowledge)
        print(f"indexed {count} records by keyword; embedding them for search by meaning…", file=sys.stderr)
        rt.knowledge.resume()
        if not await rt.knowledge.wait_until_embedded(_EMBED_TIMEOUT):
            print(f"search by meaning is not ready: {rt.knowledge.worker.status}", file=sys.stderr)
        return count

    count = dispatch(
        settings,
        offline=offline,
        online=lambda api: api.call("POST", "/api/control/knowledge/reindex")["records"],
    )
    print(f"reindexed {count} records")
    return 0


def _check(_: argparse.Namespace, settings: Settings) -> int:
    report: IndexReport = dispatch(
        settings,
        offline=lambda rt: check_index(rt.db, rt.knowledge),
        online=lambda api: msgspec.convert(api.call("GET", "/api/control/knowledge/check"), IndexReport),
    )
    print(f"{report.records} records; {report.waiting_for_meaning} passages waiting to be embedded")
    for label, keys in (("missing", report.missing), ("stale", report.stale), ("orphaned", report.orphaned)):
        for key in keys:
            print(f"  {label}: {key}")
    if not report.healthy:
        print("run `atom knowledge reindex` to rebuild the index", file=sys.stderr)
    return 0 if report.healthy else 1
