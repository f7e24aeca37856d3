"""Shared test fixtures: project paths, the seed, and Debian's real Xen tree."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def real_xen_tree() -> Path:
    """Top of Debian's Xen 4.17 source (contains xen/), or skip with the reason.

    Fetched once into XEN_CACHE with a private apt setup (tests/debian_source.py):
    nothing under /etc is written and no system-wide apt-get update runs."""
    from debian_source import debian_xen_tree

    tree, why = debian_xen_tree(XEN_CACHE)
    if tree is None:
        pytest.skip(f"Debian's Xen 4.17 source: {why}")
    return tree


@pytest.fixture(scope="session")
def real_linux_tree() -> Path:
    """Top of Debian's Linux 6.1 source with its Xen guest folders only, or skip."""
    from debian_source import debian_linux_tree

    tree, why = debian_linux_tree(XEN_CACHE)
    if tree is None:
        pytest.skip(f"Debian's Linux 6.1 source: {why}")
    return tree


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """Runs of `xenlint check` in tests cache into a temporary folder, not the user's."""
    if "XENLINT_CACHE_DIR" not in os.environ:
        os.environ["XENLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("xenlint-cache"))
    yield
