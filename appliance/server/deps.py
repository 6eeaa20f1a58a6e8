"""What route handlers may ask for by parameter name."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.types import Scope

from appliance.accounts.shapes import Principal
from appliance.ai.gateway import AIGateway
from appliance.events import EventBus
from appliance.jobs.queue import JobQueue
from appliance.knowledge import Knowledge
from appliance.runtime import Runtime
from appliance.settings import Settings
from appliance.storage import Database
from appliance.vault import Vault

__all__ = [
    "dependencies",
    "RuntimeDep",
    "PrincipalDep",
    "DatabaseDep",
    "BusDep",
    "SettingsDep",
    "VaultDep",
    "JobsDep",
    "AIDep",
    "KnowledgeDep",
]

# Handlers declare what they need with these, e.g. `async def f(db: DatabaseDep)`.
RuntimeDep = NamedDependency[Runtime]
PrincipalDep = NamedDependency[Principal]
DatabaseDep = NamedDependency[Database]
BusDep = NamedDependency[EventBus]
SettingsDep = NamedDependency[Settings]
VaultDep = NamedDependency[Vault]
JobsDep = NamedDependency[JobQueue]
AIDep = NamedDependency[AIGateway]
KnowledgeDep = NamedDependency[Knowledge]


def _runtime(state: State) -> Runtime:
    return state.runtime


def _principal(scope: Scope) -> Principal:
    return scope["state"]["principal"]  # set by the `authenticate` guard


def _db(state: State) -> Database:
    return _runtime(state).db


def _bus(state: State) -> EventBus:
    return _runtime(state).bus


def _settings(state: State) -> Settings:
    return _runtime(state).settings


def _vault(state: State) -> Vault:
    return _runtime(state).vault


def _jobs(state: State) -> JobQueue:
    return _runtime(state).jobs


def _ai(state: State) -> AIGateway:
    return _runtime(state).ai


def _knowledge(state: State) -> Knowledge:
    return _runtime(state).knowledge


dependencies = {
    "runtime": Provide(_runtime, sync_to_thread=False),
    "principal": Provide(_principal, sync_to_thread=False),
    "db": Provide(_db, sync_to_thread=False),
    "bus": Provide(_bus, sync_to_thread=False),
    "settings": Provide(_settings, sync_to_thread=False),
    "vault": Provide(_vault, sync_to_thread=False),
    "jobs": Provide(_jobs, sync_to_thread=False),
    "ai": Provide(_ai, sync_to_thread=False),
    "knowledge": Provide(_knowledge, sync_to_thread=False),
}
