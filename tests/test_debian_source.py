"""tests/debian_source.py: the private apt setup, tarball filtering and failure reasons (no network)."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

import debian_source as ds


def _option_values(command: list[str]) -> dict[str, str]:
    values = {}
    for flag, pair in zip(command, command[1:]):
        if flag == "-o":
            key, _, value = pair.partition("=")
            values[key] = value
    return values


def test_apt_command_confines_every_path_to_the_cache(tmp_path):
    cache = tmp_path / "cache"
    values = _option_values(ds.apt_command(cache, "update"))
    for key in ("Dir::Etc::SourceList", "Dir::Etc::SourceParts", "Dir::Etc::Parts",
                "Dir::Etc::Preferences", "Dir::Etc::PreferencesParts", "Dir::Etc::TrustedParts",
                "Dir::State", "Dir::State::Lists", "Dir::State::status", "Dir::Cache", "Dir::Log"):
        assert key in values, key
    for key, value in values.items():
        assert "/etc" not in value and "/var" not in value, (key, value)
        if value.startswith("/"):
            assert Path(value).is_relative_to(cache), (key, value)
    assert Path(ds.apt_environment(cache)["APT_CONFIG"]).is_relative_to(cache)


def test_private_config_names_only_the_cache_and_the_keyring(tmp_path):
    cache, keyring = tmp_path / "cache", tmp_path / "usr/share/keyrings/k.gpg"
    keyring.parent.mkdir(parents=True)
    keyring.write_bytes(b"")
    changed, why = ds.prepare_apt(cache, keyring=keyring)
    assert (changed, why) == (True, "")
    assert ds.prepare_apt(cache, keyring=keyring) == (False, "")
    apt_conf = ds.apt_dirs(cache)["config"].read_text()
    assert "/etc" not in apt_conf and str(cache) in apt_conf
    lines = ds.apt_dirs(cache)["sources_list"].read_text().splitlines()
    assert lines and all(ln.startswith(f"deb-src [signed-by={keyring}] http://deb.debian.org/")
                         for ln in lines)
    default = ds.sources_list_text()
    assert "/etc" not in default and f"signed-by={ds.KEYRING}" in default
    assert str(ds.KEYRING).startswith("/usr/share/keyrings/")


def test_missing_keyring_is_a_reason(tmp_path):
    changed, why = ds.prepare_apt(tmp_path, keyring=tmp_path / "nope.gpg")
    assert not changed and "keyring" in why and "nope.gpg" in why


def _tarball(path: Path, top: str, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:xz") as tf:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}" if not name.startswith("../") else name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


TREE = {
    "README": "r", "arch/x86/xen/enlighten.c": "x", "arch/x86/kvm/kvm.c": "k",
    "arch/arm/xen/enlighten.c": "a", "arch/x86/include/asm/xen/page.h": "p",
    "arch/x86/include/asm/page.h": "q", "drivers/xen/events.c": "e", "drivers/net/e1000.c": "n",
    "drivers/xenbus/no.c": "no", "include/xen/interface/xen.h": "h",
}


def _files(top: Path) -> set[str]:
    return {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}


def test_unpack_extracts_only_the_given_folders(tmp_path):
    tarball = _tarball(tmp_path / "linux_6.1.1.orig.tar.xz", "linux-6.1.1", TREE)
    top, note = ds.unpack(tarball, tmp_path / "out",
                          ["arch/*/xen", "drivers/xen", "arch/x86/include/asm/xen", "no/such"])
    assert top == tmp_path / "out" / "linux-6.1.1"
    assert note == "nothing matched no/such"
    assert _files(top) == {"arch/x86/xen/enlighten.c", "arch/arm/xen/enlighten.c",
                           "arch/x86/include/asm/xen/page.h", "drivers/xen/events.c"}


def test_unpack_everything_and_nothing(tmp_path):
    tarball = _tarball(tmp_path / "t.tar.xz", "pkg-1", TREE)
    top, note = ds.unpack(tarball, tmp_path / "all")
    assert note == "" and _files(top) == set(TREE)
    top, why = ds.unpack(tarball, tmp_path / "none", ["no/such"])
    assert top is None and "no/such" in why


def test_unpack_skips_members_leaving_the_destination(tmp_path):
    tarball = _tarball(tmp_path / "t.tar.xz", "pkg-1", {"a/ok.c": "1", "../evil.c": "2"})
    top, _ = ds.unpack(tarball, tmp_path / "out")
    assert (top / "a/ok.c").is_file()
    assert not (tmp_path / "evil.c").exists()


def test_unpack_of_a_broken_tarball_is_a_reason(tmp_path):
    bad = tmp_path / "bad.tar.xz"
    bad.write_bytes(b"not a tarball")
    top, why = ds.unpack(bad, tmp_path / "out")
    assert top is None and "bad.tar.xz" in why


def test_member_matching_is_per_path_component():
    assert ds.member_matches("arch/x86/xen/mmu.c", ["arch/*/xen"])
    assert ds.member_matches("drivers/xen", ["drivers/xen"])
    assert not ds.member_matches("drivers/xenbus/a.c", ["drivers/xen"])
    assert not ds.member_matches("arch/x86/include/asm/xen/a.h", ["arch/*/xen"])
    assert not ds.member_matches("arch", ["arch/x86/xen"])


def test_no_apt_get_on_path_is_a_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert shutil.which("apt-get") is None
    orig, why = ds.fetch_source("linux", tmp_path / "cache")
    assert orig is None and "apt-get is not on PATH" in why
    assert ds.debian_linux_tree(tmp_path / "cache") == (None, why)
    assert ds.debian_xen_tree(tmp_path / "cache") == (None, why)
    assert ds.update(tmp_path / "cache") == why


def test_no_apt_get_via_which_is_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(ds.shutil, "which", lambda name, *a, **k: None)
    orig, why = ds.fetch_source("xen", tmp_path)
    assert orig is None and "apt-get" in why


def _fake_source(cache: Path, package: str, version: str, tarball: Path, size: int | None = None):
    """A .dsc in the cache listing ``tarball`` (already in the cache) as the orig tarball."""
    real = tarball.stat().st_size if size is None else size
    (cache / f"{package}_{version}.dsc").write_text(
        f"Format: 3.0 (quilt)\nSource: {package}\nVersion: {version}\n"
        f"Files:\n 0123456789abcdef0123456789abcdef {real} {tarball.name}\n")


def test_cached_source_needs_every_listed_file_and_picks_the_newest(tmp_path):
    a = _tarball(tmp_path / "linux_6.1.9.orig.tar.xz", "linux-6.1.9", {"x": "1"})
    b = _tarball(tmp_path / "linux_6.1.10.orig.tar.xz", "linux-6.1.10", {"x": "2"})
    _fake_source(tmp_path, "linux", "6.1.9-1", a)
    _fake_source(tmp_path, "linux", "6.1.10-1", b)
    assert ds.cached_source("linux", tmp_path).version == "6.1.10-1"
    assert ds.cached_source("linux", tmp_path, "6.1.9-1").orig == a
    _fake_source(tmp_path, "linux", "6.1.10-1", b, size=1)  # truncated download
    assert ds.cached_source("linux", tmp_path).version == "6.1.9-1"


def test_linux_tree_adds_missing_folders_without_apt(tmp_path, monkeypatch):
    monkeypatch.setattr(ds.shutil, "which", lambda name, *a, **k: None)  # no apt: cache only
    tarball = _tarball(tmp_path / "linux_6.1.1.orig.tar.xz", "linux-6.1.1", TREE)
    _fake_source(tmp_path, "linux", "6.1.1-1", tarball)
    top, why = ds.debian_linux_tree(tmp_path, ["drivers/xen"])
    assert (top, why) == (tmp_path / "linux" / "linux-6.1.1", "")
    assert _files(top) == {"drivers/xen/events.c"}
    top, why = ds.debian_linux_tree(tmp_path, ["drivers/xen", "include/xen"])
    assert why == "" and _files(top) == {"drivers/xen/events.c", "include/xen/interface/xen.h"}
    (top / "drivers/xen/events.c").unlink()  # an already-extracted folder is not extracted again
    assert ds.debian_linux_tree(tmp_path, ["include/xen"]) == (top, "")
    assert not (top / "drivers/xen/events.c").exists()
    full, why = ds.debian_linux_tree(tmp_path, full=True)
    assert full == tmp_path / "linux-full" / "linux-6.1.1" and _files(full) == set(TREE)


def test_xen_tree_reuses_the_existing_layout(tmp_path, monkeypatch):
    monkeypatch.setattr(ds.shutil, "which", lambda name, *a, **k: None)
    xen_c = tmp_path / "x/xen-4.17.5+72-g01140da4e8/xen/arch/x86/guest/xen/xen.c"
    xen_c.parent.mkdir(parents=True)
    xen_c.write_text("")
    assert ds.debian_xen_tree(tmp_path) == (tmp_path / "x/xen-4.17.5+72-g01140da4e8", "")


def test_default_cache_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("XENLINT_XEN_SRC_CACHE", str(tmp_path))
    assert ds.default_cache() == tmp_path
    monkeypatch.delenv("XENLINT_XEN_SRC_CACHE")
    assert ds.default_cache() == Path.home() / ".cache" / "xenlint-src"


@pytest.mark.parametrize("a, b", [("1.0~rc1-1", "1.0-1"), ("6.1.9-1", "6.1.10-1"),
                                  ("4.17.5+72-g01140da4e8-1", "4.17.7+13-g2445b30a44-0+deb12u1"),
                                  ("9.9", "1:0.1"), ("6.1.192-2", "6.1.192-3")])
def test_debian_version_order(a, b):
    assert ds.compare_versions(a, b) < 0 < ds.compare_versions(b, a)
    assert ds.compare_versions(a, a) == 0
