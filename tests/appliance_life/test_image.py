"""The image's scripts and settings, checked without building it (make image and make image-test
do that, outside CI): an SD card's life, the first boot, the layout, no loop devices."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
from pathlib import Path

import pytest

IMAGE = Path(__file__).resolve().parents[2] / "image"
OVERLAY = IMAGE / "overlay"
SCRIPTS = ["build.sh", "customize.sh", "llama-cross.sh", "boot-test.sh", "config.sh"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_scripts_parse(script: str) -> None:
    subprocess.run(["bash", "-n", str(IMAGE / script)], check=True)


def test_nothing_uses_loop_devices() -> None:
    sources = [p for p in IMAGE.iterdir() if p.name != "out"]  # out/: a build's own root file system
    for path in [f for top in sources for f in ([top] if top.is_file() else top.rglob("*"))]:
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not re.search(r"losetup|-o loop|kpartx", text), path


def test_the_journal_lives_in_ram_and_reads_never_write() -> None:
    journal = configparser.ConfigParser()
    journal.read(OVERLAY / "etc/systemd/journald.conf.d/atom.conf")
    assert journal["Journal"]["Storage"] == "volatile"
    mounts = {
        line.split()[1]: line.split()
        for line in (OVERLAY / "etc/fstab").read_text().splitlines()
        if line[:1] not in ("#", "")
    }
    assert "noatime" in mounts["/"][3].split(",") and mounts["/"][0] == "LABEL=atom-root"
    assert "noatime" in mounts["/boot/firmware"][3].split(",")


def test_the_layout_matches_the_labels_fstab_and_the_kernel_look_for() -> None:
    layout = (IMAGE / "genimage.cfg.in").read_text()
    config = (IMAGE / "config.sh").read_text()
    assert 'ROOT_LABEL="atom-root"' in config and 'BOOT_LABEL="ATOM-BOOT"' in config
    assert "vfat" in layout and "use-mke2fs = true" in layout and 'mountpoint = "/boot/firmware"' in layout
    assert "ROOTPART=LABEL=atom-root" in (OVERLAY / "etc/default/raspi-firmware").read_text()
    assert "root=LABEL=$ROOT_LABEL" in (IMAGE / "boot-test.sh").read_text()


def test_the_box_is_atom_with_avahi_ssh_off_and_its_own_identity() -> None:
    customize = (IMAGE / "customize.sh").read_text()
    assert 'HOSTNAME_="atom"' in (IMAGE / "config.sh").read_text()
    assert "systemctl disable ssh.service" in customize
    assert "avahi-daemon.service" in customize and "avahi/atom.service" in customize
    assert ': > "$ROOTFS/etc/machine-id"' in customize and 'rm -f "$ROOTFS"/etc/ssh/ssh_host_*' in customize
    assert "/var/lib/atom/setup.issue" in customize  # the setup code on a screen plugged into the box
    preset = (OVERLAY / "etc/systemd/system-preset/10-atom.preset").read_text().splitlines()
    assert "disable ssh.service" in preset and "enable atom.service" in preset  # if presets run at first boot
    unit = configparser.ConfigParser()
    unit.read(OVERLAY / "etc/systemd/system/atom-first-boot.service")
    assert unit["Unit"]["ConditionPathExists"] == "!/var/lib/atom-first-boot.done"
    assert "atom.service" in unit["Unit"]["Before"]


def test_the_image_answers_at_atom_local_on_port_80_with_one_capability_for_the_server() -> None:
    customize = (IMAGE / "customize.sh").read_text()
    assert "ATOM_PORT=80\\n" in customize  # atom.env: read by the server and the worker alike
    assert "s|<port>8080</port>|<port>80</port>|" in customize  # avahi announces the same port
    drop_in = configparser.ConfigParser()
    drop_in.read(OVERLAY / "etc/systemd/system/atom.service.d/port-80.conf")
    assert dict(drop_in["Service"]) == {
        "capabilityboundingset": "CAP_NET_BIND_SERVICE",
        "ambientcapabilities": "CAP_NET_BIND_SERVICE",
    }
    assert not (OVERLAY / "etc/systemd/system/atom-worker.service.d").exists()  # the worker binds nothing
    assert 'hostfwd=tcp:127.0.0.1:$PORT-:80"' in (IMAGE / "boot-test.sh").read_text()


def test_the_initramfs_is_built_once() -> None:
    build, customize = (IMAGE / "build.sh").read_text(), (IMAGE / "customize.sh").read_text()
    assert "dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs" in build
    assert customize.count("update-initramfs -c -k all") == 1


def test_the_boot_test_forwards_only_on_loopback() -> None:
    forwards = re.findall(r"hostfwd=tcp:([^:]*):", (IMAGE / "boot-test.sh").read_text())
    assert forwards == ["127.0.0.1"]


def test_llama_cpp_is_built_for_the_baseline_both_boards_run() -> None:
    script = (IMAGE / "llama-cross.sh").read_text()
    assert "-DGGML_CPU_ARM_ARCH=armv8-a" in script and "-DGGML_NATIVE=OFF" in script
    assert "QEMU_CPU=cortex-a72" in (IMAGE / "build.sh").read_text()


def _first_boot(tmp_path: Path, growpart_status: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    stubs, root, sys_root, log = tmp_path / "bin", tmp_path / "root", tmp_path / "sys", tmp_path / "calls"
    for folder in (stubs, root / "etc/ssh", root / "var/lib", sys_root / "class/block/mmcblk0p2"):
        folder.mkdir(parents=True)
    (sys_root / "class/block/mmcblk0p2/partition").write_text("2\n")
    (root / "etc/ssh/ssh_host_ed25519_key").write_text("the image's key\n")
    answers = {"findmnt": "echo /dev/mmcblk0p2", "lsblk": "echo mmcblk0", "growpart": f"exit {growpart_status}"}
    for name in ("findmnt", "lsblk", "growpart", "resize2fs", "ssh-keygen"):
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> {log}\n{answers.get(name, "")}\n')
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "ROOT": str(root), "SYS": str(sys_root)}
    done = subprocess.run(
        ["sh", str(OVERLAY / "usr/local/sbin/atom-first-boot")], env=env, capture_output=True, text=True, check=False
    )
    return done, log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("status", [0, 1])
def test_first_boot_grows_the_root_and_makes_new_host_keys(tmp_path: Path, status: int) -> None:
    done, calls = _first_boot(tmp_path, status)
    assert done.returncode == 0, done.stderr
    assert "growpart /dev/mmcblk0 2" in calls and "resize2fs /dev/mmcblk0p2" in calls
    assert f"ssh-keygen -A -f {tmp_path / 'root'}" in calls
    assert not (tmp_path / "root/etc/ssh/ssh_host_ed25519_key").exists()  # the image's keys are gone
    assert (tmp_path / "root/var/lib/atom-first-boot.done").exists()


def test_a_failing_grow_stops_the_first_boot_to_run_again(tmp_path: Path) -> None:
    done, calls = _first_boot(tmp_path, 2)
    assert done.returncode == 2 and not any(c.startswith("resize2fs") for c in calls)
    assert not (tmp_path / "root/var/lib/atom-first-boot.done").exists()


def test_a_cross_built_wheel_gets_the_aarch64_tag_with_a_consistent_record(tmp_path: Path) -> None:
    import base64
    import hashlib
    import importlib.util
    import zipfile

    from packaging.utils import parse_wheel_filename

    spec = importlib.util.spec_from_file_location("retag_wheel", IMAGE / "retag_wheel.py")
    assert spec and spec.loader
    retag_wheel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(retag_wheel)
    wheel = tmp_path / "llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl"
    info = "llama_cpp_python-0.3.36.dist-info"
    with zipfile.ZipFile(wheel, "w") as out:
        out.writestr("llama_cpp/lib/libllama.so", b"\x7fELF aarch64 code")
        out.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: py3-none-linux_x86_64\n")
        out.writestr(
            f"{info}/RECORD", f"llama_cpp/lib/libllama.so,sha256=x,17\n{info}/WHEEL,sha256=old,70\n{info}/RECORD,,\n"
        )
    made = retag_wheel.retag(wheel, "linux_aarch64")
    assert not wheel.exists() and {t.platform for t in parse_wheel_filename(made.name)[3]} == {"linux_aarch64"}
    with zipfile.ZipFile(made) as result:
        tags = result.read(f"{info}/WHEEL")
        assert b"Tag: py3-none-linux_aarch64\n" in tags and b"x86_64" not in tags
        digest = base64.urlsafe_b64encode(hashlib.sha256(tags).digest()).rstrip(b"=").decode()
        assert f"{info}/WHEEL,sha256={digest},{len(tags)}" in result.read(f"{info}/RECORD").decode()
        assert result.read("llama_cpp/lib/libllama.so") == b"\x7fELF aarch64 code"


def test_the_initramfs_does_not_depend_on_the_build_machines_root_device() -> None:
    conf = (IMAGE / "overlay/etc/initramfs-tools/conf.d/atom.conf").read_text()
    assert re.search(r"^MODULES=most$", conf, re.MULTILINE)  # MODULES=dep fails in a chroot
