"""Atom's settings: one frozen object, built once at start-up and passed down.

Sources, later ones winning: the defaults below, an optional TOML file
(`ATOM_CONFIG`, else `<data_dir>/atom.toml` when it exists), then `ATOM_*`
environment variables. Every field is one setting; its environment name is
`ATOM_<FIELD>` for top-level fields and `ATOM_<SECTION>_<FIELD>` for the rest,
with the short aliases in `ENV_ALIASES`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from appliance.errors import ConfigError

__all__ = ["Settings", "load_settings", "describe_settings", "ENV_ALIASES"]


class ServerSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "0.0.0.0"
    """Address the web server listens on."""
    port: int = 8080
    """TCP port of the web UI and API."""
    max_body_bytes: int = 1_048_576
    """Largest request body accepted; larger ones get 413."""
    tls_cert_file: str = ""
    """PEM certificate to serve HTTPS with (see `atom tls create`); empty serves plain HTTP."""
    tls_key_file: str = ""
    """PEM private key of that certificate."""
    allowed_hosts: tuple[str, ...] = ()
    """Extra host names Atom answers to (comma-separated), besides the box's own names and addresses."""


class AuthSettings(msgspec.Struct, frozen=True, kw_only=True):
    session_hours: int = 168
    """How long a sign-in lasts without use before it expires."""
    login_attempts: int = 5
    """Failed logins allowed per user name and address within the window."""
    login_window_seconds: int = 300
    """Window over which failed logins are counted; the lock-out lasts as long."""
    login_address_attempts: int = 20
    """Failed logins allowed from one address within the window, whatever names it tries."""
    login_name_attempts: int = 20
    """Failed logins allowed per user name within the window, from all addresses together."""
    secure_cookies: bool = False
    """Mark session cookies Secure (set when served behind HTTPS)."""


class JobsSettings(msgspec.Struct, frozen=True, kw_only=True):
    workers: int = 2
    """Threads the job worker runs jobs on."""
    housekeeping_minutes: int = 15
    """How often the worker purges expired sessions and old job history."""
    history_days: int = 30
    """How long job history is kept."""


class AISettings(msgspec.Struct, frozen=True, kw_only=True):
    local_model: str = "smollm2"
    """The local chat model used when a request names none (see `atom models list`)."""
    threads: int = 0
    """CPU threads for local inference; 0 picks the usable cores less one (at least 1, at most 4)."""
    context: int = 2048
    """Largest context window allocated for a local model, in tokens."""
    local_per_member: Annotated[int, msgspec.Meta(ge=1)] = 2
    """Requests one member may have waiting for or using the local model at once; more get 429."""
    local_queue: Annotated[int, msgspec.Meta(ge=0)] = 8
    """Requests that may wait for the local model at once, household-wide; more get 429."""
    provider_urls: str = ""
    """Replaces fixed provider addresses, as comma-separated `provider=url` pairs; only the operator, never a key."""
    model_import_dir: str = ""
    """Folder admins add GGUF files from (`atom models add --file`, API `path`); empty: `<data_dir>/models/import`."""
    model_download_max_bytes: int = 8_000_000_000
    """Largest model file downloaded by URL, in bytes; a larger one is stopped and refused."""
    model_download_seconds: int = 3600
    """Longest a model download by URL may take, in seconds, before it is stopped."""


class KnowledgeSettings(msgspec.Struct, frozen=True, kw_only=True):
    upload_max_mb: int = 50
    """Largest document a member may upload, in MiB (the 1 MiB body limit stays for JSON)."""
    embed_threads: int = 0
    """Embedding threads; 0: queries get the usable cores less one (at least 1), background indexing all, niced."""
    embed_quantization: Literal["int8", "fp32"] = "int8"
    """The embedding model's weights as `int8` (about twice as fast, cosine 0.99 with fp32) or `fp32`."""


_NAMESERVER = r"^(|[0-9.]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)$"


class OrganizerSettings(msgspec.Struct, frozen=True, kw_only=True):
    caldav_sync_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)] = 10
    """How often a calendar linked to a CalDAV server syncs, in minutes, unless its link sets its own."""
    caldav_nameserver: Annotated[str, msgspec.Meta(pattern=_NAMESERVER)] = ""
    """DNS server that finds a CalDAV server from a domain (`ip` or `ip:port`, `[ipv6]:port`); empty: the system's."""


class StorageSettings(msgspec.Struct, frozen=True, kw_only=True):
    memory_mb: Annotated[int, msgspec.Meta(ge=0)] = 0
    """DuckDB's memory limit in MiB; 0 sizes it to the box: an eighth of its RAM, from 128 to 1024."""
    threads: Annotated[int, msgspec.Meta(ge=0)] = 0
    """DuckDB's worker threads; 0 picks half the usable cores (at least 1, at most 2), leaving the rest to models."""


class BackupSettings(msgspec.Struct, frozen=True, kw_only=True):
    folder: str = ""
    """Folder backups are written to (a USB disk, say); empty: `<data_dir>/backups`."""
    keep: Annotated[int, msgspec.Meta(ge=1)] = 7
    """How many of the newest complete backups to keep; older ones are deleted after each backup."""
    hour: Annotated[int, msgspec.Meta(ge=-1, le=23)] = 3
    """Hour of the day (the box's local time) of the scheduled daily backup; -1 turns it off."""
    recipient: str = ""
    """The household's age public key backups are encrypted to; empty: the one `atom backup keygen` stored."""


class VoiceSettings(msgspec.Struct, frozen=True, kw_only=True):
    wyoming_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 10300
    """TCP port of the Wyoming endpoint (satellites, Home Assistant), on `server.host`; 0 turns voice off."""
    stt_model: str = "whisper-tiny-en"
    """Speech-to-text model: `whisper-tiny-en` (int8, fast) or `whisper-base` (`atom models install whisper-base`)."""
    tts_voice: str = "piper-joe"
    """The piper voice replies are spoken with (see `atom models list --role tts`)."""
    allowed_addresses: tuple[str, ...] = ()
    """Addresses or networks (`192.168.1.20, 10.0.0.0/24`) that may use speech over Wyoming unpaired; never commands."""
    follow_up_seconds: Annotated[float, msgspec.Meta(ge=0, le=30)] = 5.0
    """How long a satellite listens for an answer after a spoken reply, without the wake word; 0 turns it off."""
    silence_seconds: Annotated[float, msgspec.Meta(ge=0.2, le=3)] = 0.5
    """Silence after speech that ends a spoken command."""
    stt_threads: Annotated[int, msgspec.Meta(ge=0)] = 0
    """CPU threads for speech recognition; 0 picks the usable cores less one (at least 1, at most 4)."""
    wake_sensitivity: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.5
    """How readily "Atom" wakes a satellite, 0-1 (threshold 0.99 to 0.61; 0.5 is 0.8): higher hears more, wrongly too"""
    wake_one_breath: bool = False
    """Also hear "Atom" with a command straight after it, no pause (most such; alone, about half): more false wakes."""


class SatelliteSettings(msgspec.Struct, frozen=True, kw_only=True):
    server: str = "tcp://127.0.0.1:10300"
    """Where `atom satellite` reaches Atom's Wyoming endpoint (`tcp://host:port`)."""
    token_file: str = ""
    """File holding the satellite's device token from pairing; empty: `<data_dir>/satellite.token`."""
    source: str = "mic://"
    """Audio in: `mic://` (pyaudio; Enter or SIGUSR1 talks), `file:///a.wav,/b.wav` (a command each), `stdin://`."""
    sink: str = "speaker://"
    """Audio out: `speaker://` (pyaudio), `file:///folder` (each reply a WAV file) or `null://`."""


class ConnectorsSettings(msgspec.Struct, frozen=True, kw_only=True):
    base_urls: str = ""
    """Replaces connectors' addresses, as comma-separated `connector=url` pairs; the operator's, never a member's."""
    sync_minutes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 15
    """How often the worker syncs every connection, in minutes (Sync now does not wait)."""


class LogSettings(msgspec.Struct, frozen=True, kw_only=True):
    level: str = "INFO"
    """Log level: DEBUG, INFO, WARNING or ERROR."""
    format: Literal["auto", "json", "text"] = "auto"
    """Log lines as `json` (one object per line) or `text`; `auto` is text on a terminal, else JSON."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: Path = Path("data")
    """Folder holding the database, job queue, master key and models."""
    server: ServerSettings = ServerSettings()
    auth: AuthSettings = AuthSettings()
    jobs: JobsSettings = JobsSettings()
    ai: AISettings = AISettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    organizer: OrganizerSettings = OrganizerSettings()
    storage: StorageSettings = StorageSettings()
    backup: BackupSettings = BackupSettings()
    voice: VoiceSettings = VoiceSettings()
    satellite: SatelliteSettings = SatelliteSettings()
    connectors: ConnectorsSettings = ConnectorsSettings()
    log: LogSettings = LogSettings()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "atom.duckdb"

    @property
    def queue_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def master_key_path(self) -> Path:
        return self.data_dir / "master.key"

    @property
    def knowledge_index_path(self) -> Path:
        return self.data_dir / "knowledge.sqlite3"

    @property
    def service_token_path(self) -> Path:
        return self.data_dir / "service.token"

    @property
    def backup_folder(self) -> Path:
        return Path(self.backup.folder) if self.backup.folder else self.data_dir / "backups"

    @property
    def satellite_token_path(self) -> Path:
        return Path(self.satellite.token_file) if self.satellite.token_file else self.data_dir / "satellite.token"

    @property
    def tls(self) -> bool:
        return bool(self.server.tls_cert_file and self.server.tls_key_file)

    @property
    def local_url(self) -> str:
        """Where processes on this box reach the server."""
        host = "127.0.0.1" if self.server.host in ("0.0.0.0", "::", "") else self.server.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.server.port}"


ENV_ALIASES = {"ATOM_PORT": "server.port", "ATOM_HOST": "server.host"}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from defaults, TOML, environment and explicit overrides."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    _merge(raw, _from_env(env))
    toml_path = _toml_path(env, raw)
    if toml_path is not None:
        file_raw = _read_toml(toml_path)
        _merge(file_raw, raw)
        raw = file_raw
    _merge(raw, overrides)
    try:
        return msgspec.convert(raw, Settings, strict=False, dec_hook=_decode_path)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid setting: {exc}") from None


def describe_settings() -> Iterator[tuple[str, str, str, str]]:
    """Yield (toml key, environment name, default, description) for every setting."""
    yield from _describe(Settings, "")


def _describe(cls: type, section: str) -> Iterator[tuple[str, str, str, str]]:
    defaults = cls()
    docs = _field_docs(cls)
    for field in msgspec.structs.fields(cls):
        value = getattr(defaults, field.name)
        if isinstance(value, msgspec.Struct):
            yield from _describe(type(value), field.name)
            continue
        key = f"{section}.{field.name}" if section else field.name
        yield key, _env_name(key), _show(value), docs.get(field.name, "")


def _env_name(key: str) -> str:
    for alias, target in ENV_ALIASES.items():
        if target == key:
            return alias
    return "ATOM_" + key.replace(".", "_").upper()


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) if value else '""'
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if value != "" else '""'


def _field_docs(cls: type) -> dict[str, str]:
    """Read the string literal under each field in the class source."""
    import ast
    import inspect

    definition = ast.parse(inspect.getsource(cls)).body[0]
    assert isinstance(definition, ast.ClassDef)
    body = definition.body
    docs: dict[str, str] = {}
    for stmt, following in zip(body, body[1:], strict=False):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and isinstance(following, ast.Expr):
            if isinstance(following.value, ast.Constant):
                docs[stmt.target.id] = str(following.value.value)
    return docs


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    known = {e: key for key, e, _, _ in describe_settings()}
    known.update({alias: key for alias, key in ENV_ALIASES.items()})
    raw: dict[str, Any] = {}
    for name, value in env.items():
        key = known.get(name)
        if key is None:
            continue
        section, _, field = key.rpartition(".")
        target = raw.setdefault(section, {}) if section else raw
        target[field] = _split_list(value) if key in _list_keys() else value
    return raw


def _list_keys(cls: type | None = None, section: str = "") -> set[str]:
    """Settings that hold several values; their environment variables are comma-separated."""
    keys: set[str] = set()
    for field in msgspec.structs.fields(cls or Settings):
        if isinstance(field.default, msgspec.Struct):
            keys |= _list_keys(type(field.default), field.name)
        elif isinstance(field.default, tuple):
            keys.add(f"{section}.{field.name}" if section else field.name)
    return keys


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _toml_path(env: Mapping[str, str], raw: Mapping[str, Any]) -> Path | None:
    explicit = env.get("ATOM_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"ATOM_CONFIG points at {path}, which is not a file")
        return path
    default = Path(raw.get("data_dir", "data")) / "atom.toml"
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from None


def _decode_path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, (str, Path)):
        return Path(value)
    raise TypeError(f"cannot read a {kind.__name__} from {value!r}")


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = dict(value) if isinstance(value, Mapping) else value
