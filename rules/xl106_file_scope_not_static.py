"""file-scope object used only in its own file is not static

Severity:   warning
Confidence: medium: high in a tree; for a lone patch only the headers given with it are searched

What it does
    Finds object definitions at file scope without `static` (or `extern`)
    in a .c file when no other file of the tree declares or uses the name.
    Without a tree (a patch, a list of files), the object is reported when
    no header given with it declares it. Functions are not checked: Xen
    calls some from assembly, and the compiler's -Wmissing-prototypes
    already covers them. Nor are the tree's user-space programs and build
    tools (tools/, stubdom/, scripts/, ...): they link libraries from
    outside the tree, so no file of the tree can show a name unused.
Why it matters
    External linkage makes private state (here: which vCPUs have a
    registered area) writable from anywhere and collides with same-named
    symbols elsewhere. Xen follows MISRA C:2012 rule 8.7: objects used in
    one translation unit have internal linkage.
Example
    unsigned long vcpu_info_mapped[BITS_TO_LONGS(NR_CPUS)];
Use instead
    static unsigned long vcpu_info_mapped[BITS_TO_LONGS(NR_CPUS)];
"""

from analyzer.programs import in_kernel
from analyzer.rule import Rule


class FileScopeNotStatic(Rule):
    message = "'{name}' has external linkage but {where}; make it static"
    needs = ("objects",)

    def check(self, facts, project):
        if facts.is_header or not in_kernel(facts.path):
            return
        for obj in facts.objects:
            if obj.is_static or obj.is_extern or obj.external_on_purpose:
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
