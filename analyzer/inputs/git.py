"""Changes in a git repository: the diff, and the trees on both sides of it.

``staged_change`` is what `git commit` would record: the index against HEAD.
``diff_change`` is a revision against the work tree, ``A..B`` (B against A)
or ``A...B`` (B against the merge base).  Every file of a side comes from
that side (git's index, a revision, or the work tree for a plain REV): the
diff only says which lines are new.  Nothing here writes to the work tree
or the index: git is only asked to print.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from unidiff import PatchSet

from analyzer.errors import InputError

from .patchset import Patch, parse_patch_bytes
from .trees import DiskTree, GitTree, git

# Options that make `git diff` output independent of the user's git config.
_DIFF_OPTIONS = ["--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
                 "--src-prefix=a/", "--dst-prefix=b/", "--unified=3"]
_C_PATHSPECS = ["*.c", "*.h"]


@dataclass
class GitChange:
    root: Path  # the repository's top level; paths are relative to it
    description: str
    patch: Patch | None  # None when nothing changed
    pre_tree: GitTree | None  # None when there is no base (a first commit)
    post_tree: GitTree | DiskTree


def repository_root(start: Path) -> Path:
    where = start if start.is_dir() else start.parent
    if not where.exists():
        raise InputError(str(start), "no such file or directory")
    out = git(["rev-parse", "--show-toplevel"], where, str(start))
    return Path(out.decode().strip())


def _resolves(rev: str, root: Path) -> bool:
    try:
        git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root, rev)
    except InputError:
        return False
    return True


def _commit(rev: str, root: Path) -> str:
    if rev.startswith("-") or not _resolves(rev, root):
        raise InputError(rev, "not a revision in this repository")
    return rev


def _change(root: Path, diff_args: list[str], description: str, only: list[Path] | None,
            pre_tree: GitTree | None, post_tree: GitTree | DiskTree) -> GitChange:
    data = git(["diff", *_DIFF_OPTIONS, *diff_args, "--", *_C_PATHSPECS], root, description)
    if not data.strip():
        return GitChange(root, description, None, pre_tree, post_tree)
    patch = parse_patch_bytes(data, description)
    if only:
        wanted = [p.resolve() for p in only]

        def chosen(pf) -> bool:
            target = (root / pf.path).resolve()
            return any(target == w or w in target.parents for w in wanted)

        kept = PatchSet("")
        kept.extend(pf for pf in patch.patchset if chosen(pf))
        patch.patchset = kept
        if not patch.files:
            return GitChange(root, description, None, pre_tree, post_tree)
    return GitChange(root, description, patch, pre_tree, post_tree)


def staged_change(start: Path, only: list[Path] | None = None) -> GitChange:
    """What `git commit` would record: the index against HEAD (or nothing)."""
    root = repository_root(start)
    pre = GitTree(root, "HEAD") if _resolves("HEAD", root) else None
    return _change(root, ["--cached"], "staged changes", only, pre, GitTree(root))


def diff_change(rev: str, start: Path, only: list[Path] | None = None) -> GitChange:
    """``REV`` against the work tree; ``A..B`` is B against A; ``A...B`` is B against merge-base."""
    root = repository_root(start)
    if "..." in rev:
        left, right = rev.split("...", 1)
        left, right = _commit(left or "HEAD", root), _commit(right or "HEAD", root)
        base = git(["merge-base", left, right], root, rev).decode().strip()
        return _change(root, [f"{base}..{right}"], f"changes since {rev}", only,
                       GitTree(root, base), GitTree(root, right))
    if ".." in rev:
        left, right = rev.split("..", 1)
        base, target = _commit(left or "HEAD", root), _commit(right or "HEAD", root)
        return _change(root, [f"{base}..{target}"], f"changes since {rev}", only,
                       GitTree(root, base), GitTree(root, target))
    base = _commit(rev, root)
    return _change(root, [base], f"changes since {rev}", only, GitTree(root, base),
                   DiskTree([root], relative_to=root))
