"""Which image a file builds into: a tree holds several programs.

A kernel tree holds one kernel per architecture (``arch/x86``, ``arch/arm``,
..., FreeBSD's ``sys/amd64``, ``sys/arm64``, ...) beside common code, and
programs that are never linked with it (Xen's and Linux's ``tools/``, build
scripts).  A per-CPU definition in ``arch/arm`` and a declaration in
``arch/parisc`` never meet, nor does a use in ``tools/`` make a hypervisor
object external: rules that pair files (XL105) or look for uses in other
files (XL106) pair only files that can end up in one image, common code with
one architecture at a time.
"""

from __future__ import annotations

from functools import lru_cache

# Folders holding programs of their own (run on the build host or in user space).
# (Not lib/: Linux's is kernel code, FreeBSD's user space; a tree's kernel
# rarely shares names with it.)
_SEPARATE_PROGRAMS = frozenset({"tools", "scripts", "stubdom", "extras", "samples", "Documentation",
                                "usr.bin", "usr.sbin", "stand"})
# FreeBSD's machine folders under sys/, and those sys/x86 serves.
_FREEBSD_ARCHES = frozenset({"amd64", "i386", "arm", "arm64", "riscv", "powerpc", "x86"})
# Machine folders that serve several architectures: FreeBSD's sys/x86 is
# linked into amd64 and into i386 kernels (which never meet each other).
_SHARED_BY = {"x86": frozenset({"amd64", "i386"})}


@lru_cache(maxsize=65536)
def image_of(path: str) -> tuple[str, str | None]:
    """(program, architecture or None for common code) of the file at ``path``."""
    parts = path.replace("\\", "/").split("/")
    program = next((part for part in parts if part in _SEPARATE_PROGRAMS), "main")
    arch = None
    for i, part in enumerate(parts[:-1]):
        if part == "arch":
            arch = parts[i + 1]
        elif part.startswith("asm-") and part != "asm-generic" and i and parts[i - 1] == "include":
            arch = part[4:]  # Xen before 4.17: xen/include/asm-x86/
        elif part == "sys" and parts[i + 1] in _FREEBSD_ARCHES:
            arch = parts[i + 1]
    return program, arch


def in_kernel(path: str) -> bool:
    """Is the file at ``path`` part of the tree's kernel (hypervisor or guest
    kernel), rather than of a program that also links libraries from outside
    the tree (libc, grub), where no use in the tree proves a name unused?"""
    return image_of(path)[0] == "main"


def same_image(a: str, b: str) -> bool:
    """Can the files at ``a`` and ``b`` be linked into one image?"""
    (program_a, arch_a), (program_b, arch_b) = image_of(a), image_of(b)
    if program_a != program_b:
        return False
    if arch_a is None or arch_b is None or arch_a == arch_b:
        return True
    return arch_b in _SHARED_BY.get(arch_a, ()) or arch_a in _SHARED_BY.get(arch_b, ())
