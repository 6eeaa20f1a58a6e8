"""Backups: the round trip keeps every byte of content; a tampered archive or a wrong key is refused
before anything is touched; the newest N are kept; only admins may make or list them."""

from __future__ import annotations

import io
import os
import tarfile
import tracemalloc
from pathlib import Path

import pyrage
import pytest
from litestar.testing import TestClient
from pyrage import x25519

from appliance import clock
from appliance.errors import InvalidInput, ServiceUnavailable
from appliance.runtime import Runtime
from appliance.system.backup import Key, create_backup, list_backups, read_identities, restore_backup
from appliance.system.backup import archive as archive_module
from appliance.system.backup.archive import write_archive
from appliance.system.backup.folder import prune
from appliance.system.backup.manifest import FORMAT, FileEntry, Manifest
from appliance.system.shapes import BackupOrder
from tests.backup.helpers import (
    BEA,
    DOCUMENT,
    duckdb_content,
    duckdb_file_content,
    files_under,
    fill_household,
    household_key,
    sqlite_content,
)
from tests.conftest import add_member, run_cli, second_client, sign_in


def test_the_round_trip_restores_every_byte_of_content(admin: TestClient, runtime: Runtime, tmp_path: Path) -> None:
    ids = fill_household(admin, runtime)
    identity = household_key(runtime, tmp_path)
    made = admin.post("/api/system/backups")
    assert made.status_code == 201, made.text
    archive = runtime.settings.backup_folder / made.json()["file"]
    data = runtime.settings.data_dir
    before = runtime.db.read_sync(duckdb_content)
    documents, jobs = files_under(data / "documents"), sqlite_content(data / "jobs.sqlite3")

    fresh = tmp_path / "fresh"
    restored = run_cli(fresh, "restore", str(archive), "--identity-file", str(identity))
    assert restored.returncode == 0, restored.stderr
    assert "every sha256 matches" in restored.stdout

    assert duckdb_file_content(fresh / "atom.duckdb") == before
    assert before["main.notes"] and before["main.provider_keys"] and before["main.job_runs"]  # real content
    assert files_under(fresh / "documents") == documents and DOCUMENT in documents.values()
    assert (fresh / "master.key").read_bytes() == (data / "master.key").read_bytes()
    assert sqlite_content(fresh / "jobs.sqlite3") == jobs and any(jobs.values())  # the queued housekeeping
    assert sqlite_content(fresh / "knowledge.sqlite3")["chunks"]  # the index came too
    assert ids["document"] in documents


def test_a_restored_folder_keeps_the_vault_and_the_members(admin: TestClient, runtime: Runtime, tmp_path: Path) -> None:
    """Restored files open with their own master key: the member signs in and reads her note."""
    ids = fill_household(admin, runtime)
    household_key(runtime, tmp_path)
    backup = create_backup(runtime.settings, runtime.db)
    identity = household_key_file(tmp_path, runtime)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    restore_backup(_settings_for(runtime, fresh), runtime.settings.backup_folder / backup.file, identity)

    from appliance.runtime import open_runtime

    other = open_runtime(_settings_for(runtime, fresh))
    try:
        with second_client(other) as bea:
            sign_in(bea, *BEA)
            assert "frog" in bea.get(f"/api/notes/{ids['note']}").json()["body"]
            key = bea.get(f"/api/ai/keys/{ids['key']}").json()
            assert key["provider"] == "openai" and "0123456789abcdef" not in str(key)  # masked, and decryptable
    finally:
        other.close()


def test_a_passphrase_backup_round_trips_and_says_which_key_it_needs(
    admin: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    fill_household(admin, runtime)
    backup = create_backup(runtime.settings, runtime.db, "a household passphrase")
    archive = runtime.settings.backup_folder / backup.file
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with pytest.raises(Exception, match="--passphrase-file"):
        restore_backup(_settings_for(runtime, fresh), archive, Key(identities=[str(x25519.Identity.generate())]))
    restored = restore_backup(_settings_for(runtime, fresh), archive, Key(passphrase="a household passphrase"))
    assert (fresh / "master.key").read_bytes() == runtime.settings.master_key_path.read_bytes()
    assert restored.set_aside is None  # nothing was there to set aside


def test_a_tampered_archive_is_refused_and_nothing_is_touched(
    admin: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    """One byte changed in a document inside (re-encrypted so age accepts it): its sha256 tells."""
    fill_household(admin, runtime)
    identity = household_key(runtime, tmp_path)
    secret = [line for line in identity.read_text().splitlines() if line.startswith("AGE-")]
    backup = create_backup(runtime.settings, runtime.db)
    archive = runtime.settings.backup_folder / backup.file
    tampered = tmp_path / "tampered.tar.age"
    tampered.write_bytes(_altered(archive.read_bytes(), secret[0], runtime))
    target = _lived_in_folder(tmp_path)
    before = files_under(target)

    refused = run_cli(target, "restore", str(tampered), "--identity-file", str(identity))
    assert refused.returncode == 1 and "does not match its sha256" in refused.stderr
    assert files_under(target) == before and not list(target.glob(".restore-*"))


def test_a_flipped_byte_in_the_ciphertext_or_a_wrong_key_is_refused(
    admin: TestClient, runtime: Runtime, tmp_path: Path
) -> None:
    fill_household(admin, runtime)
    identity = household_key(runtime, tmp_path)
    backup = create_backup(runtime.settings, runtime.db)
    raw = bytearray((runtime.settings.backup_folder / backup.file).read_bytes())
    raw[len(raw) // 2] ^= 0x01
    flipped = tmp_path / "flipped.tar.age"
    flipped.write_bytes(bytes(raw))
    stranger = tmp_path / "stranger.txt"
    stranger.write_text(str(x25519.Identity.generate()) + "\n")
    target = _lived_in_folder(tmp_path)
    before = files_under(target)

    damaged = run_cli(target, "restore", str(flipped), "--identity-file", str(identity))
    wrong = run_cli(
        target, "restore", str(runtime.settings.backup_folder / backup.file), "--identity-file", str(stranger)
    )
    assert damaged.returncode == 1 and "cannot decrypt" in damaged.stderr
    assert wrong.returncode == 1 and "wrong key" in wrong.stderr
    assert files_under(target) == before and not list(target.glob(".restore-*"))


def test_a_backup_from_a_newer_schema_is_refused_with_the_fix(runtime: Runtime, tmp_path: Path) -> None:
    identity = household_key(runtime, tmp_path)
    backup = create_backup(runtime.settings, runtime.db)
    secret = [line for line in identity.read_text().splitlines() if line.startswith("AGE-")][0]
    newer = tmp_path / "newer.tar.age"
    newer.write_bytes(_rewritten(runtime.settings.backup_folder / backup.file, secret, runtime, schema_bump=50))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with pytest.raises(Exception, match="newer Atom.*upgrade Atom first"):
        restore_backup(_settings_for(runtime, fresh), newer, Key(identities=[secret]))
    assert list(fresh.iterdir()) == []


def test_restore_refuses_while_the_server_owns_the_database(runtime: Runtime, tmp_path: Path) -> None:
    identity = household_key(runtime, tmp_path)
    backup = create_backup(runtime.settings, runtime.db)
    refused = run_cli(
        runtime.settings.data_dir,
        "restore",
        str(runtime.settings.backup_folder / backup.file),
        "--identity-file",
        str(identity),
    )
    assert refused.returncode == 1 and "stop it" in refused.stderr


def test_the_newest_n_are_kept_and_other_files_are_left_alone(runtime: Runtime, tmp_path: Path) -> None:
    household_key(runtime, tmp_path)
    folder = runtime.settings.backup_folder
    made = [create_backup(runtime.settings, runtime.db).file for _ in range(4)]
    (folder / "holiday-photos.zip").write_bytes(b"not ours")
    (folder / ".atom-backup-20000101T000000Z.partial").write_bytes(b"cut short by a power cut")
    assert prune(folder, keep=2) == [made[1], made[0], ".atom-backup-20000101T000000Z.partial"]
    assert [b.file for b in list_backups(folder)] == [made[3], made[2]]
    assert (folder / "holiday-photos.zip").exists()


def test_keep_is_applied_after_every_backup(runtime: Runtime, tmp_path: Path) -> None:
    import msgspec

    settings = msgspec.structs.replace(
        runtime.settings, backup=msgspec.structs.replace(runtime.settings.backup, keep=2)
    )
    household_key(runtime, tmp_path)
    made = [create_backup(settings, runtime.db).file for _ in range(3)]
    assert [b.file for b in list_backups(settings.backup_folder)] == [made[2], made[1]]
    assert not list(settings.data_dir.glob(".backup-staging-*"))  # the staging folder never stays


def test_an_upgrades_one_time_backup_leaves_the_households_backups_alone(runtime: Runtime, tmp_path: Path) -> None:
    import msgspec

    settings = msgspec.structs.replace(
        runtime.settings, backup=msgspec.structs.replace(runtime.settings.backup, keep=2)
    )
    household_key(runtime, tmp_path)
    kept = [create_backup(settings, runtime.db).file for _ in range(2)]
    one_time = create_backup(settings, runtime.db, "a one-time passphrase", prune_after=False).file
    assert [b.file for b in list_backups(settings.backup_folder)] == [one_time, *reversed(kept)]
    (settings.backup_folder / one_time).unlink()  # as `atom upgrade` does once the new release answers
    assert [b.file for b in list_backups(settings.backup_folder)] == list(reversed(kept))


def test_backups_are_for_admins_only(admin: TestClient, runtime: Runtime, tmp_path: Path) -> None:
    household_key(runtime, tmp_path)
    add_member(admin, *BEA)
    with second_client(runtime) as bea:
        sign_in(bea, *BEA)
        assert bea.get("/api/system/backups").status_code == 403
        assert bea.post("/api/system/backups").status_code == 403
        assert bea.get("/fragments/backups").status_code in (403, 404)
        assert bea.post("/api/control/backups", json={}).status_code == 403
        assert "Back up now" not in bea.get("/system").text
    assert admin.post("/api/system/backups").status_code == 201
    listed = admin.get("/api/system/backups").json()
    assert len(listed) == 1 and listed[0]["ok"] is True and listed[0]["size_bytes"] > 0
    assert "Back up now" in admin.get("/system").text and listed[0]["file"] in admin.get("/fragments/backups").text


def test_without_a_key_a_backup_is_refused_clearly(admin: TestClient) -> None:
    refused = admin.post("/api/system/backups")
    assert refused.status_code == 409 and "atom backup keygen" in refused.json()["detail"]
    status = {c["name"]: c for c in admin.get("/api/system/status").json()["components"]}
    assert status["backups"]["ok"] is False and "atom backup keygen" in status["backups"]["summary"]


def test_the_dashboard_shows_the_last_good_backup(admin: TestClient, runtime: Runtime, tmp_path: Path) -> None:
    household_key(runtime, tmp_path)
    admin.post("/api/system/backups")
    status = {c["name"]: c for c in admin.get("/api/system/status").json()["components"]}
    assert status["backups"]["ok"] is True and status["backups"]["summary"].startswith("last good backup 0 min ago")
    assert "last good backup" in admin.get("/").text


# --- helpers -------------------------------------------------------------------------------


def household_key_file(tmp_path: Path, runtime: Runtime) -> Key:
    from appliance.system.backup import read_identities

    return Key(identities=read_identities(tmp_path / "household-key.txt"))


def _settings_for(runtime: Runtime, data_dir: Path):  # type: ignore[no-untyped-def]
    import msgspec

    return msgspec.structs.replace(runtime.settings, data_dir=data_dir)


def _lived_in_folder(tmp_path: Path) -> Path:
    """A data folder with files of its own, which a refused restore must leave exactly as they are."""
    target = tmp_path / "lived-in"
    (target / "documents").mkdir(parents=True)
    (target / "master.key").write_bytes(b"the current key")
    (target / "documents" / "old").write_bytes(b"an older document")
    return target


def _altered(ciphertext: bytes, secret: str, runtime: Runtime) -> bytes:
    """The archive with one byte of the first document changed, sealed again to the household key."""
    plain = pyrage.decrypt(ciphertext, [x25519.Identity.from_str(secret)])
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(plain)) as source, tarfile.open(fileobj=out, mode="w") as copy:
        changed = False
        for member in source.getmembers():
            content = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("documents/") and not changed:
                content, changed = bytes([content[0] ^ 0x20]) + content[1:], True
            copy.addfile(member, io.BytesIO(content))
    assert changed
    return pyrage.encrypt(out.getvalue(), [x25519.Identity.from_str(secret).to_public()])


def _rewritten(archive: Path, secret: str, runtime: Runtime, schema_bump: int) -> bytes:
    """The archive with its manifest claiming a newer schema, sealed again."""
    import msgspec

    plain = pyrage.decrypt(archive.read_bytes(), [x25519.Identity.from_str(secret)])
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(plain)) as source, tarfile.open(fileobj=out, mode="w") as copy:
        for member in source.getmembers():
            content = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                manifest = msgspec.json.decode(content)
                manifest["schema_version"] += schema_bump
                content = msgspec.json.encode(manifest)
                member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    return pyrage.encrypt(out.getvalue(), [x25519.Identity.from_str(secret).to_public()])


@pytest.mark.parametrize(
    "entry",
    ["../escaped", "documents/../../escaped", "/tmp/escaped", "service.token", "link"],
)
def test_an_archive_reaching_outside_its_names_is_refused(runtime: Runtime, tmp_path: Path, entry: str) -> None:
    """A crafted backup (a path out of the folder, a name Atom never writes, a link) writes nothing."""
    identity = household_key(runtime, tmp_path)
    secret = [line for line in identity.read_text().splitlines() if line.startswith("AGE-")][0]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        if entry == "link":
            link = tarfile.TarInfo("documents/passwd")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(link)
        else:
            member = tarfile.TarInfo(entry)
            member.size = 5
            tar.addfile(member, io.BytesIO(b"owned"))
    crafted = tmp_path / "crafted.tar.age"
    crafted.write_bytes(pyrage.encrypt(out.getvalue(), [x25519.Identity.from_str(secret).to_public()]))
    target = _lived_in_folder(tmp_path)
    before = files_under(target)
    refused = run_cli(target, "restore", str(crafted), "--identity-file", str(identity))
    assert refused.returncode == 1 and "refused" in refused.stderr
    assert files_under(target) == before and not (tmp_path / "escaped").exists() and not Path("/tmp/escaped").exists()


def test_check_only_verifies_and_changes_nothing(admin: TestClient, runtime: Runtime, tmp_path: Path) -> None:
    fill_household(admin, runtime)
    identity = household_key(runtime, tmp_path)
    backup = create_backup(runtime.settings, runtime.db)
    target = _lived_in_folder(tmp_path)
    before = files_under(target)
    checked = run_cli(
        target,
        "restore",
        str(runtime.settings.backup_folder / backup.file),
        "--identity-file",
        str(identity),
        "--check",
    )
    assert (
        checked.returncode == 0 and "every sha256 matches" in checked.stdout and "nothing was changed" in checked.stdout
    )
    assert files_under(target) == before


def test_a_backup_disk_that_is_not_mounted_is_not_filled_in_for(runtime: Runtime, tmp_path: Path) -> None:
    import msgspec

    household_key(runtime, tmp_path)
    unmounted = tmp_path / "media" / "usb" / "atom-backups"
    settings = msgspec.structs.replace(
        runtime.settings, backup=msgspec.structs.replace(runtime.settings.backup, folder=str(unmounted))
    )
    with pytest.raises(ServiceUnavailable, match="mounted"):
        create_backup(settings, runtime.db)
    assert not unmounted.parent.exists()
    unmounted.parent.mkdir(parents=True)  # the disk is there now: the folder is made on it
    assert create_backup(settings, runtime.db).ok and list(unmounted.glob("atom-backup-*.tar.age"))


def test_a_backup_sealed_to_a_given_public_key_opens_only_with_its_secret(runtime: Runtime, tmp_path: Path) -> None:
    """What `atom upgrade` orders: a backup to a key pair only it holds, beside the household's own key."""
    household = household_key(runtime, tmp_path)
    one_time = x25519.Identity.generate()
    made = runtime.backups.run(BackupOrder(recipient=str(one_time.to_public()), one_time=True))
    archive = runtime.settings.backup_folder / made.file
    head = archive.read_bytes()[:200]
    assert b"\n-> X25519 " in head and b"scrypt" not in head  # age's public-key stanza: streamed, never in memory
    restore_backup(runtime.settings, archive, Key(identities=[str(one_time)]), check_only=True)
    with pytest.raises(Exception, match="wrong key"):
        restore_backup(runtime.settings, archive, Key(identities=read_identities(household)), check_only=True)


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (BackupOrder(passphrase="a household passphrase", recipient="age1"), "not both"),
        (BackupOrder(recipient="age1notakey"), "not an age public key"),
        (BackupOrder(recipient="AGE-SECRET-KEY-1QQQ"), "not an age public key"),
    ],
)
def test_an_order_naming_two_seals_or_a_bad_key_is_refused(
    runtime: Runtime, tmp_path: Path, order: BackupOrder, message: str
) -> None:
    household_key(runtime, tmp_path)
    with pytest.raises(InvalidInput, match=message):
        runtime.backups.run(order)
    assert not list_backups(runtime.settings.backup_folder)


def test_only_a_passphrase_archive_is_built_in_memory(tmp_path: Path) -> None:
    """A public-key archive streams through age; pyrage's passphrase API needs the whole tar first."""
    staging = tmp_path / "staging" / "documents"
    staging.mkdir(parents=True)
    (staging / "scan.pdf").write_bytes(os.urandom(24 << 20))

    def peak(seal: x25519.Recipient | str) -> int:
        tracemalloc.start()
        with (tmp_path / "out.age").open("wb") as out:
            write_archive(staging.parent, out, seal, lambda files: _manifest_of(files))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    assert peak(x25519.Identity.generate().to_public()) < 8 << 20
    assert peak("a household passphrase") > 24 << 20


def test_a_passphrase_backup_the_memory_cannot_hold_is_refused_with_the_sizes(
    admin: TestClient, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built in memory, it would have the kernel kill Atom half-way on a small box: it is refused first,
    nothing is written, and the household key (streamed) still works."""
    fill_household(admin, runtime)
    household_key(runtime, tmp_path)
    made = create_backup(runtime.settings, runtime.db, "a household passphrase")
    archive = runtime.settings.backup_folder / made.file
    monkeypatch.setattr(archive_module, "available_memory", lambda: 1 << 20)  # a box with 1 MB to spare
    with pytest.raises(InvalidInput, match=r"needs about \d+ MB, but only 1 MB is free: use the household key"):
        runtime.backups.run(BackupOrder(passphrase="a household passphrase"))
    assert [b.file for b in list_backups(runtime.settings.backup_folder)] == [made.file]
    assert not list(runtime.settings.data_dir.glob(".backup-*"))  # no staging left behind either
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with pytest.raises(InvalidInput, match="a passphrase restore is made in memory"):
        restore_backup(_settings_for(runtime, fresh), archive, Key(passphrase="a household passphrase"))
    assert not list(fresh.iterdir())
    assert runtime.backups.run(BackupOrder()).ok  # to the household key: streamed, so no such limit


def test_the_free_memory_is_read_from_the_kernel() -> None:
    free = archive_module.available_memory()
    assert free is not None and 16 << 20 < free < os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _manifest_of(files: list[FileEntry]) -> Manifest:
    return Manifest(
        format=FORMAT, atom_version="test", schema_version=1, duckdb_version="test",
        created_at=clock.now(), files=files, models=[],
    )  # fmt: skip
