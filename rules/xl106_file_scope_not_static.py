"""XL106: file-scope object that should be static.

Finds:      a non-static, non-extern object definition at file scope in a .c
            file whose name nothing outside the file declares or uses (in a
            tree: searched across the tree's C, header and assembly files;
            for a patch or a file list with no tree: no header given with it
            declares the name).
Matters:    an external symbol invites other files to write to state the
            owner believes private (a mapped bitmap that must agree with L0),
            and MISRA C rule 8.7, which Xen follows, asks for internal linkage.
Confidence: high in a tree; medium for a lone patch.
Functions are not checked: Xen calls some from assembly, and the compiler's
-Wmissing-prototypes already covers them.
"""

from analyzer.findings import Severity
from analyzer.rule import Rule


class FileScopeNotStatic(Rule):
    id = "XL106"
    name = "file-scope-not-static"
    severity = Severity.WARNING
    confidence = "high"
    summary = "file-scope object used only in its own file is not static"
    what = ("Finds object definitions at file scope without `static` (or `extern`) in a .c file "
            "when no other file of the tree declares or uses the name. Without a tree (a patch, "
            "a list of files), the object is reported when no header given with it declares it.")
    why = ("External linkage makes private state (here: which vCPUs have a registered area) "
           "writable from anywhere and collides with same-named symbols elsewhere. Xen follows "
           "MISRA C:2012 rule 8.7: objects used in one translation unit have internal linkage.")
    example = "unsigned long vcpu_info_mapped[BITS_TO_LONGS(NR_CPUS)];"
    instead = "static unsigned long vcpu_info_mapped[BITS_TO_LONGS(NR_CPUS)];"
    message = "'{name}' has external linkage but {where}; make it static"
    needs = ("objects",)

    def check(self, facts, project):
        if facts.is_header:
            return
        for obj in facts.objects:
            if obj.is_static or obj.is_extern:
                continue
            if project.whole_tree:
                if project.used_outside(obj.name, facts.path):
                    continue
                where = "nothing outside this file declares or uses it"
            else:
                if project.used_outside(obj.name, facts.path, headers_only=True):
                    continue
                where = "no header declares it"
            yield self.report(facts, obj.site, name=obj.name, where=where)
