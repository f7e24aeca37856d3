"""xenlint: static patch analyzer and source linter for Xen's vcpu_info handling.

Data flows one way through the packages:

    inputs/    patches, mail, trees     -> SourceFile / PatchSet
    frontend/  C front end              -> FileFacts (syntax layer, semantic layer)
    checker    facts -> rules/          -> Finding
    model/     reference model + C run  -> Finding
    reporters/ Finding -> text, JSON, ...
"""

try:  # written by setuptools-scm when the project is installed
    from ._version import version as __version__
except ImportError:  # a source tree never installed
    __version__ = "0+unknown"
