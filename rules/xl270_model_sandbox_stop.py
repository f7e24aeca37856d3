"""the extracted code crashed, hung or was killed by the sandbox

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/crosscheck/sandbox.py)

What it does
    The harness process running the extracted code died: a system call
    seccomp strict mode forbids (files, processes, memory from the
    kernel), a signal such as SIGSEGV, the CPU or wall-clock limit, the
    step budget inside a loop, or output that broke the protocol.
Why it matters
    Mapping code has no business doing any of that; a crash in the harness
    usually means an invalid pointer or an endless loop in the real system
    too.
Example
    for ( ;; ) { }   /* or system(...), fopen(...), raw syscalls */
Use instead
    keep the mapping code to memory the guest owns and bounded loops
"""
