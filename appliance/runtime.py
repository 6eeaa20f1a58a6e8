"""Everything the server process owns, opened once: database, vault, event bus, job queue."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from appliance.accounts import queries as account_queries
from appliance.accounts.members import Eraser
from appliance.accounts.principal_cache import PrincipalCache
from appliance.accounts.setup_code import ensure_setup_code, forget_setup_code
from appliance.accounts.throttle import LoginThrottle
from appliance.ai.gateway import AIGateway
from appliance.assistant import Coordinator, TimerBoard, household_words
from appliance.assistant.llm_tier import choose as choose_tool
from appliance.connectors import ConnectorHub
from appliance.datadir import make_private
from appliance.events import Event, EventBus
from appliance.jobs.queue import JobQueue
from appliance.knowledge import Knowledge, forget_member, open_knowledge
from appliance.organizer.reminders.hooks import ReminderAnnouncers
from appliance.settings import Settings
from appliance.storage import Database, apply_migrations
from appliance.system.backup import BackupRunner
from appliance.system.sizing import duckdb_limits
from appliance.vault import Vault, open_master_key
from appliance.voice import SatelliteHub, VoiceEngine, WyomingServer

__all__ = ["Runtime", "open_runtime"]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    vault: Vault
    jobs: JobQueue
    service_token: str
    setup_code: str | None = None  # while nobody lives here yet: first-run setup needs it
    bus: EventBus = field(default_factory=EventBus)
    reminder_announcers: ReminderAnnouncers = field(default_factory=ReminderAnnouncers)  # voice satellites add theirs
    throttle: LoginThrottle = field(init=False)
    principals: PrincipalCache = field(init=False)
    ai: AIGateway = field(init=False)
    knowledge: Knowledge = field(init=False)
    timers: TimerBoard = field(init=False)
    assistant: Coordinator = field(init=False)
    backups: BackupRunner = field(init=False)
    voice: VoiceEngine = field(init=False)  # the speech models, loaded on first use
    satellites: SatelliteHub = field(init=False)
    connectors: ConnectorHub = field(init=False)  # connections to outside services and their syncs
    wyoming: WyomingServer | None = None  # while the app runs with voice on
    wyoming_listener: socket.socket | None = None  # bound early by `atom serve`, so a taken port stops it

    def __post_init__(self) -> None:
        auth = self.settings.auth
        self.throttle = LoginThrottle(
            self.db,
            auth.login_attempts,
            auth.login_window_seconds,
            auth.login_address_attempts,
            auth.login_name_attempts,
        )
        self.throttle.load()  # lock-outs outlive a restart
        self.principals = PrincipalCache(self.db)
        self.ai = AIGateway(self.settings, self.db, self.vault)
        self.knowledge = open_knowledge(self.settings)
        self.timers = TimerBoard(self.bus)
        self.assistant = Coordinator(slots=household_words, llm=choose_tool)
        self.ai.on_usage = self._usage_recorded
        self.backups = BackupRunner(self.settings, self.db)
        self.voice = VoiceEngine(self.settings)
        self.satellites = SatelliteHub(self.bus)
        self.timers.ring_hooks.append(self.satellites.ring)
        self.reminder_announcers.add(self.satellites.remind)
        self.connectors = ConnectorHub(self.settings, self.db, self.vault, self.knowledge, self.bus)

    def _usage_recorded(self, user_id: str) -> None:
        self.bus.publish(Event(topic="ai-usage", action="created", id=user_id), [user_id])

    @property
    def erasers(self) -> list[Eraser]:
        """What else a removed member's erasure must clear: their search index rows and files."""
        return [self._erase_knowledge]

    async def _erase_knowledge(self, user_id: str) -> None:
        await forget_member(self.db, self.knowledge, self.settings.data_dir, user_id)

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.settings.auth.session_hours)

    def setup_done(self) -> None:
        self.setup_code = None
        forget_setup_code(self.settings.data_dir)

    def close(self) -> None:
        self.knowledge.close()
        self.db.close()


def open_runtime(settings: Settings) -> Runtime:
    """Open the data folder: database (migrated), master key, vault, queue, service token."""
    make_private(settings.data_dir)
    db = Database(settings.database_path, limits=duckdb_limits(settings.storage))
    try:
        apply_migrations(db)
        master = open_master_key(settings.master_key_path, db)
    except BaseException:
        db.close()
        raise
    token = _ensure_service_token(settings.service_token_path)
    runtime = Runtime(settings=settings, db=db, vault=Vault(db, master), jobs=JobQueue(settings), service_token=token)
    if db.read_sync(account_queries.count_users) == 0:
        runtime.setup_code = ensure_setup_code(settings.data_dir, settings.server.port)
    else:
        forget_setup_code(settings.data_dir)
    return runtime


def _ensure_service_token(path: Path) -> str:
    """The secret the worker and CLI use to reach the server; made once, 0600."""
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
    return token
