"""xenlint: static patch analyzer and source linter for Xen's vcpu_info handling.

Data flows one way through the packages:

    inputs/    patches, mail, trees     -> SourceFile / PatchSet
    frontend/  C front end              -> FileFacts (syntax layer, semantic layer)
    checker    facts -> rules/          -> Finding
    model/     reference model + C run  -> Finding
    reporters/ Finding -> text, JSON, ...
"""

__version__ = "0.1.0"
