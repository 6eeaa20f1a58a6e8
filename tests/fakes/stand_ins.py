"""The running fakes, as Atom's gateway sees them in tests (appliance.ai.outbound.StandIns).

A provider with a fixed official address (OpenAI, Anthropic, ...) talks to the fake of it
that runs now, and every running `public` loopback server counts as a server on the
internet. Nothing else on loopback does: not Atom's own port, not a server made with
`public=False`, not a port nobody listens on.
"""

from __future__ import annotations

from tests.fakes.loopback import LoopbackServer
from tests.fakes.vendor import VendorFake

__all__ = ["RunningFakes"]


class RunningFakes:
    def addresses(self) -> frozenset[tuple[str, int]]:
        return frozenset(server.address for server in LoopbackServer.running if server.public)

    def base_url(self, provider: str) -> str | None:
        fakes = [fake for fake in VendorFake.running if fake.provider == provider]
        return fakes[-1].base_url if fakes else None
