"""Fetch Debian bookworm source packages into a cache folder, without touching the machine's apt.

Tests and benchmarks need real trees (Debian's Xen 4.17, Debian's Linux 6.1).  This module
downloads their source packages with a *private* apt setup that lives entirely under the
cache folder, so it never writes under /etc, never runs a system-wide ``apt-get update`` and
works the same as root and as an ordinary user.

Cache layout (default ``~/.cache/xenlint-src``; ``XENLINT_XEN_SRC_CACHE`` overrides it)::

    <cache>/apt/...                        private apt: conf/ (Dir::Etc), lists/, cache/, state/
    <cache>/<pkg>_<ver>.dsc, *.orig.tar.*   downloaded source packages (``fetch_source``)
    <cache>/x/xen-4.17.*/xen/...            Debian's Xen, fully unpacked (``debian_xen_tree``)
    <cache>/linux/linux-6.1.*/              Debian's Linux, only some folders (``debian_linux_tree``)
    <cache>/linux/linux-6.1.*.xenlint-extracted.json   which folders that tree holds
    <cache>/linux-full/linux-6.1.*/         Debian's Linux, everything (``full=True``)

How the private apt setup stays private:

* ``APT_CONFIG`` points at ``<cache>/apt/apt.conf``, which moves ``Dir::Etc`` (and so
  ``Dir::Etc::Parts`` and ``Dir::Etc::Main``) into the cache.  This has to happen through
  ``APT_CONFIG``: apt reads ``apt.conf.d`` *before* it applies ``-o`` options, so a plain
  ``-o Dir::Etc::Parts=...`` would still load the host's snippets (including their
  ``Post-Invoke`` hooks, which would then run on our ``update``).
* Every other location apt writes or reads (source lists, lists, caches, state, dpkg status,
  preferences, trusted keys, auth, logs) is passed as ``-o`` and points under ``<cache>/apt``.
* The only file outside the cache that apt is told about is Debian's archive keyring,
  ``/usr/share/keyrings/debian-archive-keyring.gpg``, named per source line with ``signed-by``.

Only the unpacked *orig* tarball is used: Debian's patches (in the ``.debian.tar.xz`` next to
it) are not applied, as the old ``tests/conftest.py`` code did not apply them either.

Every function returns ``(result or None, reason)`` instead of raising, runs every subprocess
with a timeout and prints nothing unless ``verbose=True``.  Run it by hand with
``python tests/debian_source.py linux --full -v`` (see ``--help``).
"""

from __future__ import annotations

import fcntl
import fnmatch
import functools
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")

# Where bookworm's current versions live.  As of this writing both ``xen`` and ``linux`` are
# newest in bookworm-security (xen 4.17.7+13-g2445b30a44-0+deb12u1, linux 6.1.192-3), while
# bookworm itself holds the point-release versions (xen 4.17.5+72-g01140da4e8-1, linux 6.1.176-1).
DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("http://deb.debian.org/debian", "bookworm"),
    ("http://deb.debian.org/debian", "bookworm-updates"),
    ("http://deb.debian.org/debian-security", "bookworm-security"),
)

# Linux folders holding the Xen guest code and the headers it needs (relative to the tree top).
DEFAULT_XEN_GUEST_FOLDERS: tuple[str, ...] = (
    "arch/x86/xen",
    "arch/arm/xen",
    "arch/arm64/xen",
    "drivers/xen",
    "include/xen",
    "include/uapi/xen",
    "arch/x86/include/asm/xen",
    "arch/arm/include/asm/xen",
    "arch/arm64/include/asm/xen",
)

UPDATE_TIMEOUT = 600        # seconds for `apt-get update` (about 10 MB of Sources indexes)
SOURCE_TIMEOUT = 1800       # seconds for `apt-get source` (Linux is about 140 MB)
LISTS_MAX_AGE = 24 * 3600   # refresh the private indexes when they are older than this
LOCK_TIMEOUT = 3600         # seconds to wait for another process working on the same cache
MAX_FALLBACKS = 20          # older versions tried when the newest one cannot be downloaded

MARKER_SUFFIX = ".xenlint-extracted.json"

# Errors that skip one tarball member rather than abort the unpacking.
_MEMBER_ERRORS = tuple(getattr(tarfile, name) for name in ("FilterError", "ExtractError", "StreamError")
                       if hasattr(tarfile, name))


def default_cache() -> Path:
    """The cache folder: ``$XENLINT_XEN_SRC_CACHE`` or ``~/.cache/xenlint-src``."""
    env = os.environ.get("XENLINT_XEN_SRC_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "xenlint-src"


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(f"debian_source: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- private apt

def apt_dirs(cache: Path) -> dict[str, Path]:
    """The private apt layout under ``<cache>/apt`` (nothing here is created)."""
    apt = Path(cache).absolute() / "apt"
    return {
        "root": apt,
        "config": apt / "apt.conf",               # named by APT_CONFIG
        "etc": apt / "conf",                      # Dir::Etc: apt.conf.d, preferences.d, ...
        "sources_list": apt / "sources.list",
        "sources_parts": apt / "sources.list.d",
        "lists": apt / "lists",
        "cache": apt / "cache",
        "state": apt / "state",
        "status": apt / "state" / "status",       # an empty dpkg status: nothing is installed
        "log": apt / "log",
        "updated": apt / "updated.stamp",         # touched after each successful update
    }


def apt_options(cache: Path) -> list[str]:
    """The ``-o Key=Value`` arguments that confine apt to ``<cache>/apt``."""
    d = apt_dirs(cache)
    etc = d["etc"]
    pairs = [
        ("Dir::Etc", etc),
        ("Dir::Etc::Main", etc / "apt.conf"),
        ("Dir::Etc::Parts", etc / "apt.conf.d"),
        ("Dir::Etc::SourceList", d["sources_list"]),
        ("Dir::Etc::SourceParts", d["sources_parts"]),
        ("Dir::Etc::Preferences", etc / "preferences"),
        ("Dir::Etc::PreferencesParts", etc / "preferences.d"),
        ("Dir::Etc::Trusted", etc / "trusted.gpg"),
        ("Dir::Etc::TrustedParts", etc / "trusted.gpg.d"),
        ("Dir::Etc::netrc", etc / "auth.conf"),
        ("Dir::Etc::netrcparts", etc / "auth.conf.d"),
        ("Dir::State", d["state"]),
        ("Dir::State::Lists", d["lists"]),
        ("Dir::State::status", d["status"]),
        ("Dir::Cache", d["cache"]),
        ("Dir::Log", d["log"]),
        ("Acquire::Languages", "none"),
    ]
    out: list[str] = []
    for key, value in pairs:
        out += ["-o", f"{key}={value}"]
    return out


def apt_environment(cache: Path) -> dict[str, str]:
    """The environment for apt: ``APT_CONFIG`` names the private apt.conf, messages in C."""
    env = dict(os.environ)
    env["APT_CONFIG"] = str(apt_dirs(cache)["config"])
    env["LC_ALL"] = "C"
    env.pop("LANGUAGE", None)
    return env


def apt_command(cache: Path, *args: str, apt_get: str = "apt-get") -> list[str]:
    """``apt-get -o ... ARGS`` confined to the cache (use with ``apt_environment``)."""
    return [apt_get, *apt_options(cache), *args]


def sources_list_text(sources: Sequence[tuple[str, str]] = DEFAULT_SOURCES,
                      keyring: Path = KEYRING) -> str:
    """One ``deb-src`` line per (archive URL, suite), signed by ``keyring``, component main."""
    return "".join(f"deb-src [signed-by={keyring}] {url} {suite} main\n" for url, suite in sources)


def prepare_apt(cache: Path, sources: Sequence[tuple[str, str]] = DEFAULT_SOURCES,
                keyring: Path = KEYRING) -> tuple[bool, str]:
    """Create the private apt layout; returns (sources.list changed?, reason or "")."""
    if not keyring.is_file():
        return False, f"Debian's archive keyring {keyring} is missing (package debian-archive-keyring)"
    d = apt_dirs(cache)
    etc = d["etc"]
    try:
        for folder in (d["sources_parts"], d["lists"] / "partial", d["cache"] / "archives" / "partial",
                       d["state"], d["log"], etc / "apt.conf.d", etc / "preferences.d",
                       etc / "trusted.gpg.d", etc / "auth.conf.d"):
            folder.mkdir(parents=True, exist_ok=True)
        # Read by apt before any -o option, hence the place to move Dir::Etc (and its Parts).
        _write_if_changed(d["config"], f'Dir::Etc "{etc}";\n'
                                       f'Dir::Etc::Main "{etc / "apt.conf"}";\n'
                                       f'Dir::Etc::Parts "{etc / "apt.conf.d"}";\n')
        if not d["status"].exists():
            d["status"].write_text("")
        changed = _write_if_changed(d["sources_list"], sources_list_text(sources, keyring))
    except OSError as exc:
        return False, f"cannot set up the private apt folder {d['root']}: {exc.strerror or exc}"
    return changed, ""


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text() == text:
            return False
    except OSError:
        pass
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True


def _lists_fresh(cache: Path, max_age: float) -> bool:
    # apt gives list files the server's Last-Modified time, hence a stamp of our own.
    d = apt_dirs(cache)
    if not list(d["lists"].glob("*_Sources")):
        return False
    try:
        return time.time() - d["updated"].stat().st_mtime < max_age
    except OSError:
        return False


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float,
         what: str) -> tuple[subprocess.CompletedProcess | None, str]:
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"{what} timed out after {timeout:g}s"
    except OSError as exc:
        return None, f"{what} could not run: {exc.strerror or exc}"
    if proc.returncode != 0:
        return proc, f"{what} failed (exit {proc.returncode}): {_last_error(proc)}"
    return proc, ""


def _last_error(proc: subprocess.CompletedProcess) -> str:
    lines = [ln.strip() for ln in (proc.stderr or "").splitlines() + (proc.stdout or "").splitlines()]
    errors = [ln for ln in lines if ln.startswith("E:")]
    picked = errors[:1] or [ln for ln in lines if ln][-1:] or ["no output"]
    return picked[0]


def update(cache: Path, *, sources: Sequence[tuple[str, str]] = DEFAULT_SOURCES,
           timeout: float = UPDATE_TIMEOUT, verbose: bool = False) -> str:
    """``apt-get update`` into the private lists; returns "" or the reason it failed."""
    apt_get = shutil.which("apt-get")
    if not apt_get:
        return "apt-get is not on PATH, so Debian source packages cannot be fetched"
    _, why = prepare_apt(cache, sources)
    if why:
        return why
    _say(verbose, f"apt-get update into {apt_dirs(cache)['lists']}")
    _, why = _run(apt_command(cache, "-q", "update", apt_get=apt_get), cwd=Path(cache),
                  env=apt_environment(cache), timeout=timeout, what="private apt-get update")
    if not why and not list(apt_dirs(cache)["lists"].glob("*_Sources")):
        why = "private apt-get update fetched no Sources index"
    if not why:
        try:
            apt_dirs(cache)["updated"].write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))
        except OSError as exc:
            why = f"cannot write {apt_dirs(cache)['updated']}: {exc.strerror or exc}"
    return why


# --------------------------------------------------------------------------- source packages

@dataclass(frozen=True)
class SourceFiles:
    """One downloaded source package in the cache, as listed by its .dsc."""
    package: str
    version: str
    dsc: Path
    orig: Path                # the upstream tarball (for a native package: its only tarball)
    debian: Path | None       # Debian's packaging tarball, when there is one


def _parse_dsc(dsc: Path) -> tuple[str, str, list[tuple[str, int]]] | None:
    try:
        text = dsc.read_text(errors="replace")
    except OSError:
        return None
    source = re.search(r"^Source:\s*(\S+)", text, re.M)
    version = re.search(r"^Version:\s*(\S+)", text, re.M)
    block = re.search(r"^Files:[ \t]*\n((?:[ \t].*\n?)+)", text, re.M)
    if not (source and version and block):
        return None
    files = []
    for line in block.group(1).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            files.append((parts[2], int(parts[1])))
    return source.group(1), version.group(1), files


def cached_source(package: str, cache: Path | None = None,
                  version: str | None = None) -> SourceFiles | None:
    """The newest complete download of ``package`` (or exactly ``version``) in the cache.

    Complete means the .dsc is there and every file it lists is present with its listed size.
    No network access.
    """
    cache = Path(cache) if cache else default_cache()
    best: SourceFiles | None = None
    for dsc in cache.glob(f"{package}_*.dsc"):
        parsed = _parse_dsc(dsc)
        if not parsed or parsed[0] != package or (version and parsed[1] != version):
            continue
        names = [name for name, size in parsed[2]]
        if not names or not all(_size(cache / name) == size for name, size in parsed[2]):
            continue
        tars = [n for n in names if re.search(r"\.tar(\.\w+)?$", n)]
        orig = [n for n in tars if ".orig.tar" in n and ".orig-" not in n]
        debian = [n for n in tars if ".debian.tar" in n]
        main = orig or [n for n in tars if n not in debian]
        if not main:
            continue
        found = SourceFiles(package, parsed[1], dsc, cache / main[0],
                            cache / debian[0] if debian else None)
        if best is None or compare_versions(found.version, best.version) > 0:
            best = found
    return best


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def fetch_source(package: str, cache: Path | None = None, *, version: str | None = None,
                 refresh: bool = False, sources: Sequence[tuple[str, str]] = DEFAULT_SOURCES,
                 timeout: float = SOURCE_TIMEOUT, verbose: bool = False) -> tuple[Path | None, str]:
    """Download Debian's source package ``package`` into ``cache``; (orig tarball, "") or (None, reason).

    Reuses a complete download already in the cache (no network) unless ``refresh`` is true;
    otherwise runs the private ``apt-get update`` (when the indexes are missing, older than a
    day or the source lines changed) and ``apt-get source --download-only`` in the cache folder.
    The .dsc and the Debian tarball land next to the orig tarball (see ``cached_source``).
    ``version`` asks for one exact Debian version (e.g. ``4.17.5+72-g01140da4e8-1``).
    Without it, when the newest listed version cannot be downloaded, older listed versions
    are tried newest first; the reason then says so (it is "" on a plain success).
    """
    cache = Path(cache) if cache else default_cache()
    if not refresh:
        found = cached_source(package, cache, version)
        if found:
            return found.orig, ""
    apt_get = shutil.which("apt-get")
    if not apt_get:
        return None, "apt-get is not on PATH, so Debian source packages cannot be fetched"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with _locked(cache):
            return _fetch_locked(package, cache, version, refresh, sources, timeout, verbose, apt_get)
    except TimeoutError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot use the cache folder {cache}: {exc.strerror or exc}"


def _fetch_locked(package, cache, version, refresh, sources, timeout, verbose, apt_get):
    if not refresh:  # another process may have fetched it while we waited for the lock
        found = cached_source(package, cache, version)
        if found:
            return found.orig, ""
    changed, why = prepare_apt(cache, sources)
    if why:
        return None, why
    if refresh or changed or not _lists_fresh(cache, LISTS_MAX_AGE):
        why = update(cache, sources=sources, verbose=verbose)
        if why:
            return None, why
    proc_env = apt_environment(cache)
    wanted = f"{package}={version}" if version else package
    tried = [wanted]
    orig, why = _download(package, wanted, cache, timeout, verbose, apt_get, proc_env)
    if orig is None and version is None and "Failed to fetch" in why:
        # The newest version is listed but not downloadable (a mirror without the
        # bookworm-security pool, a security update not yet mirrored): older ones, newest first.
        for older in listed_versions(package, cache)[1:MAX_FALLBACKS + 1]:
            tried.append(f"{package}={older}")
            orig, _ = _download(package, tried[-1], cache, timeout, verbose, apt_get, proc_env)
            if orig is not None:
                return orig, f"newest {package} could not be downloaded ({why}); fetched {older}"
        if len(tried) > 1:
            why += f" (also tried {len(tried) - 1} older versions)"
    return orig, why


def listed_versions(package: str, cache: Path | None = None) -> list[str]:
    """Versions of source ``package`` in the private indexes, newest first (no network)."""
    cache = Path(cache) if cache else default_cache()
    apt_cache = shutil.which("apt-cache")
    if not apt_cache:
        return []
    proc, why = _run(apt_command(cache, "madison", package, apt_get=apt_cache), cwd=cache,
                     env=apt_environment(cache), timeout=120, what="apt-cache madison")
    if why or proc is None:
        return []
    versions: list[str] = []
    for line in proc.stdout.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 3 and fields[0] == package and fields[2].endswith("Sources") \
                and fields[1] not in versions:
            versions.append(fields[1])
    return sorted(versions, key=functools.cmp_to_key(compare_versions), reverse=True)


def _download(package, wanted, cache, timeout, verbose, apt_get, env) -> tuple[Path | None, str]:
    _say(verbose, f"apt-get source --download-only {wanted} into {cache}")
    _, why = _run(apt_command(cache, "-q", "--only-source", "source", "--download-only", wanted,
                              apt_get=apt_get),
                  cwd=cache, env=env, timeout=timeout, what=f"apt-get source {wanted}")
    if why:
        return None, why
    found = cached_source(package, cache, wanted.partition("=")[2] or None)
    if found is None:
        return None, f"apt-get source {wanted} left no complete source package in {cache}"
    _say(verbose, f"got {found.dsc.name}")
    return found.orig, ""


@contextmanager
def _locked(cache: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Serialise fetching and unpacking between processes sharing one cache folder."""
    with open(cache / ".debian-source.lock", "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another process held the lock on {cache} for {timeout:g}s")
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- unpacking

def tarball_top(tarball: Path) -> tuple[str | None, str]:
    """The top folder of a source tarball (the first path component of its first member)."""
    try:
        with tarfile.open(tarball, "r|*") as tf:
            for member in tf:
                parts = _split(member.name)
                if parts:
                    return parts[0], ""
    except (OSError, tarfile.TarError, lzma.LZMAError, zlib.error, EOFError) as exc:
        return None, f"cannot read {tarball}: {exc}"
    return None, f"{tarball} is empty"


def _split(path: str) -> list[str]:
    return [p for p in path.split("/") if p and p != "."]


def member_matches(relative: str, patterns: Sequence[str]) -> bool:
    """Whether a path relative to the top folder is one of ``patterns`` or lies under one.

    Patterns are globs matched one path component at a time (``*`` does not cross ``/``),
    e.g. ``"arch/*/xen"`` selects ``arch/x86/xen/enlighten.c``.
    """
    parts = _split(relative)
    for pattern in patterns:
        want = _split(pattern)
        if want and len(parts) >= len(want) and all(
                fnmatch.fnmatchcase(p, w) for p, w in zip(parts, want)):
            return True
    return False


def unpack(tarball: Path, dest: Path, members: Sequence[str] | None = None, *,
           verbose: bool = False) -> tuple[Path | None, str]:
    """Extract ``tarball`` into ``dest``; (``dest``/top folder, note) or (None, reason).

    ``members`` are glob patterns relative to the tarball's top folder (see ``member_matches``);
    only those folders and files are written, everything else is read past.  ``None`` extracts
    everything.  Unsafe members (absolute paths, ``..``, links leaving the tree, devices) are
    skipped.  On success the note is "" or names the patterns that matched nothing; when
    nothing matched at all the result is None unless the top folder exists from before.
    """
    tarball, dest = Path(tarball), Path(dest)
    patterns = list(members) if members is not None else None
    matched: set[str] = set()
    top: str | None = None
    written = skipped = 0
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    _say(verbose, f"unpacking {tarball.name} into {dest}"
                  + (f" (only {', '.join(patterns)})" if patterns is not None else ""))
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball, "r|*") as tf:
            for member in tf:
                parts = _split(member.name)
                if not parts:
                    continue
                top = top or parts[0]
                relative = "/".join(parts[1:])
                if patterns is not None:
                    hits = [p for p in patterns if member_matches(relative, [p])]
                    if not hits:
                        continue
                    matched.update(hits)
                if not safe and (member.name.startswith("/") or ".." in parts
                                 or not (member.isfile() or member.isdir() or member.issym())):
                    skipped += 1
                    continue
                try:
                    tf.extract(member, dest, **safe)
                    written += 1
                except _MEMBER_ERRORS:  # refused by the filter, or a hard link we cannot make
                    skipped += 1
    except (tarfile.TarError, lzma.LZMAError, zlib.error, EOFError) as exc:
        return None, f"cannot unpack {tarball}: {exc}"
    except OSError as exc:
        return None, f"unpacking {tarball} into {dest} failed: {exc.strerror or exc}"
    if top is None:
        return None, f"{tarball} is empty"
    if patterns is not None and not matched and not (dest / top).is_dir():
        return None, f"nothing in {tarball.name} matches {', '.join(patterns)}"
    _say(verbose, f"wrote {written} members" + (f", skipped {skipped} unsafe ones" if skipped else ""))
    missing = [p for p in patterns or [] if p not in matched]
    return dest / top, (f"nothing matched {', '.join(missing)}" if missing else "")


# --------------------------------------------------------------------------- the two trees

def _find_xen(cache: Path) -> Path | None:
    for candidate in sorted(cache.glob("x/xen-4.17*/xen")):
        if (candidate / "arch/x86/guest/xen/xen.c").is_file():
            return candidate.parent
    return None


def debian_xen_tree(cache: Path | None = None, *, version: str | None = None,
                    verbose: bool = False) -> tuple[Path | None, str]:
    """Top of Debian bookworm's Xen 4.17 source (the folder holding ``xen/``), or (None, reason).

    Layout as ``tests/conftest.py`` always had it: ``<cache>/x/xen-4.17*/xen/...``.  A tree
    already there is reused without any network access (whatever its 4.17 version); otherwise
    the newest bookworm ``xen`` (or ``version``) is fetched and unpacked in full (~5 MB).
    """
    cache = Path(cache) if cache else default_cache()
    found = _find_xen(cache)
    if found:
        return found, ""
    tarball, fetched = fetch_source("xen", cache, version=version, verbose=verbose)
    if tarball is None:
        return None, fetched
    if not tarball.name.startswith("xen_4.17"):
        return None, f"Debian's xen source is {tarball.name}, not Xen 4.17"
    try:
        with _locked(cache):
            found = _find_xen(cache)
            if not found:
                top, why = unpack(tarball, cache / "x", verbose=verbose)
                if top is None:
                    return None, why
                found = _find_xen(cache)
    except TimeoutError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot use the cache folder {cache}: {exc.strerror or exc}"
    if not found:
        return None, f"unpacked {tarball.name} has no xen/arch/x86/guest/xen/xen.c"
    return found, fetched


def _read_marker(marker: Path) -> dict | None:
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _covers(data: dict, folders: Sequence[str], full: bool) -> bool:
    if data.get("full"):
        return True
    return not full and set(folders) <= set(data.get("folders", []))


def _existing_linux(root: Path, folders: Sequence[str], full: bool) -> Path | None:
    """The newest extracted Linux 6.1 tree under ``root`` whose marker covers the request."""
    best: tuple[str, Path] | None = None
    for marker in root.glob(f"linux-6.1*{MARKER_SUFFIX}"):
        tree = marker.with_name(marker.name[: -len(MARKER_SUFFIX)])
        data = _read_marker(marker)
        if data is None or not tree.is_dir() or not _covers(data, folders, full):
            continue
        ver = tree.name.removeprefix("linux-")
        if best is None or compare_versions(ver, best[0]) > 0:
            best = (ver, tree)
    return best[1] if best else None


def debian_linux_tree(cache: Path | None = None,
                      folders: Sequence[str] = DEFAULT_XEN_GUEST_FOLDERS,
                      full: bool = False, *, version: str | None = None, refresh: bool = False,
                      verbose: bool = False) -> tuple[Path | None, str]:
    """Top of Debian bookworm's Linux 6.1 source, or (None, reason).

    By default only ``folders`` (the Xen guest code) are extracted, into
    ``<cache>/linux/linux-6.1.*/``, next to a marker naming them; a later call asking for more
    folders extracts just the missing ones.  ``full=True`` extracts everything (about 1.4 GB)
    into ``<cache>/linux-full/linux-6.1.*/`` instead, so the small tree stays small.
    A tree that already covers the request is returned without touching the network; pass
    ``version`` (a Debian version such as ``6.1.192-3``) or ``refresh`` to get another one.
    """
    cache = Path(cache) if cache else default_cache()
    folders = sorted(set(folders))
    root = cache / ("linux-full" if full else "linux")
    if version is None and not refresh:
        found = _existing_linux(root, folders, full)
        if found:
            return found, ""
    tarball, fetched = fetch_source("linux", cache, version=version, refresh=refresh, verbose=verbose)
    if tarball is None:
        return None, fetched
    if not tarball.name.startswith("linux_6.1"):
        return None, f"Debian's linux source is {tarball.name}, not Linux 6.1"
    top, why = tarball_top(tarball)
    if top is None:
        return None, why
    tree, marker = root / top, root / f"{top}{MARKER_SUFFIX}"
    try:
        with _locked(cache):
            data = _read_marker(marker) if tree.is_dir() else None
            if data and data.get("tarball") == tarball.name and _covers(data, folders, full):
                return tree, fetched
            done = data.get("folders", []) if data and data.get("tarball") == tarball.name else []
            todo = None if full else [f for f in folders if f not in done]
            got, why = unpack(tarball, root, todo, verbose=verbose)
            if got is None:
                return None, why
            record = {"tarball": tarball.name, "full": full,
                      "folders": [] if full else sorted(set(done) | set(folders))}
            _write_if_changed(marker, json.dumps(record, indent=1) + "\n")
    except TimeoutError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot use the cache folder {cache}: {exc.strerror or exc}"
    return tree, "; ".join(note for note in (fetched, why) if note)


# --------------------------------------------------------------------------- Debian versions

def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isascii() and c.isdigit():
        return 0
    if c.isascii() and c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) else 0
            bc = _order(b[j]) if j < len(b) else 0
            if ac != bc:
                return ac - bc
            i, j = i + 1, j + 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        first = 0
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            first = first or ord(a[i]) - ord(b[j])
            i, j = i + 1, j + 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first:
            return first
    return 0


def compare_versions(a: str, b: str) -> int:
    """Debian version order (epoch, upstream, revision; ``~`` sorts first): <0, 0 or >0."""
    def split(v: str) -> tuple[int, str, str]:
        epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
        return int(epoch) if epoch.isdigit() else 0, upstream, revision
    ea, ua, ra = split(a)
    eb, ub, rb = split(b)
    return (ea - eb) or _compare_part(ua, ub) or _compare_part(ra, rb)


# --------------------------------------------------------------------------- by hand

def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("what", choices=["xen", "linux"], help="which tree to make ready")
    parser.add_argument("--cache", type=Path, default=None, help=f"default: {default_cache()}")
    parser.add_argument("--full", action="store_true", help="linux: extract everything")
    parser.add_argument("--folder", action="append", dest="folders",
                        help="linux: a folder to extract (repeatable; default: the Xen guest folders)")
    parser.add_argument("--version", help="an exact Debian version")
    parser.add_argument("--refresh", action="store_true", help="linux: ask apt for the newest version")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.what == "xen":
        tree, why = debian_xen_tree(args.cache, version=args.version, verbose=args.verbose)
    else:
        tree, why = debian_linux_tree(args.cache, args.folders or DEFAULT_XEN_GUEST_FOLDERS,
                                      full=args.full, version=args.version,
                                      refresh=args.refresh, verbose=args.verbose)
    if tree is None:
        print(f"error: {why}", file=sys.stderr)
        return 1
    print(tree)
    if why:
        print(f"note: {why}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
