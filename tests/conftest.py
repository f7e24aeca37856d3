"""Shared test fixtures: project paths, the seed, and Debian's real Xen tree."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = ROOT.parent / "shared" / "seeds" / "000_1ff9c2d8a882b65e.txt"
XEN_CACHE = Path(os.environ.get("XENLINT_XEN_SRC_CACHE", Path.home() / ".cache" / "xenlint-src"))


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"seed patch not present at {SEED} (only the project's shared/ folder has it)")
    return SEED


def _find_unpacked(cache: Path) -> Path | None:
    for candidate in sorted(cache.glob("x/xen-4.17*/xen")):
        if (candidate / "arch/x86/guest/xen/xen.c").is_file():
            return candidate.parent
    return None


def _fetch_debian_xen(cache: Path) -> tuple[Path | None, str]:
    """Download Debian bookworm's Xen 4.17 source once, into a cache outside the repo."""
    found = _find_unpacked(cache)
    if found:
        return found, ""
    if not shutil.which("apt-get"):
        return None, "apt-get is not available to fetch Debian's Xen 4.17 source"
    cache.mkdir(parents=True, exist_ok=True)
    src_list = Path("/etc/apt/sources.list.d/xenlint-src.sources")
    if os.geteuid() == 0 and not any(
        "deb-src" in p.read_text(errors="replace")
        for p in Path("/etc/apt/sources.list.d").glob("*") if p.is_file()
    ):
        src_list.write_text(
            "Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n"
            "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
        subprocess.run(["apt-get", "update"], capture_output=True, timeout=300)
    tars = list(cache.glob("xen_4.17*.orig.tar.*"))
    if not tars:
        proc = subprocess.run(
            ["apt-get", "source", "--download-only", "xen"],
            cwd=cache, capture_output=True, text=True, timeout=600,
        )
        tars = list(cache.glob("xen_4.17*.orig.tar.*"))
        if not tars:
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"apt-get source xen failed: {last[0]}"
    (cache / "x").mkdir(exist_ok=True)
    subprocess.run(["tar", "-xf", str(tars[0]), "-C", str(cache / "x")], check=True, timeout=600)
    found = _find_unpacked(cache)
    return found, "" if found else "unpacked Debian source has no xen/arch/x86/guest/xen/xen.c"


@pytest.fixture(scope="session")
def real_xen_tree() -> Path:
    """Top of Debian's Xen 4.17 source (contains xen/), or skip with the reason."""
    try:
        tree, why = _fetch_debian_xen(XEN_CACHE)
    except (OSError, subprocess.SubprocessError) as exc:
        tree, why = None, f"fetching Debian's Xen source failed: {exc}"
    if tree is None:
        pytest.skip(why)
    return tree


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """Runs of `xenlint check` in tests cache into a temporary folder, not the user's."""
    if "XENLINT_CACHE_DIR" not in os.environ:
        os.environ["XENLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("xenlint-cache"))
    yield
