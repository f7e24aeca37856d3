"""file-scope object used only in its own file is not static

Severity:   warning
Confidence: medium: high in a tree or checkout; for a lone patch only the headers given with it are searched

What it does
    Finds object definitions at file scope without `static` (or `extern`)
    in a .c file when no other file of its program declares or uses the
    name. Files given alone are searched for in the rest of their checkout
    (the nearest Xen, Linux or FreeBSD tree top above them, else the
    nearest .git); with no checkout above them the rule stays silent (a note
    under -v says so). A patch without its tree is judged by the headers
    given with it. Functions are not checked: Xen
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

from analyzer.frame import FILES, PROGRAM
from analyzer.rule import Rule


class FileScopeNotStatic(Rule):
    message = "'{name}' has external linkage but {where}; make it static"
    needs = ("objects",)

    def check(self, facts, project):
        if facts.is_header or project.uses_in_sight == FILES or not project.in_kernel(facts.path):
            return
        for obj in facts.objects:
            if obj.is_static or obj.is_extern or obj.external_on_purpose:
                continue
            if project.uses_in_sight == PROGRAM:
                if project.used_outside(obj.name, facts.path):
                    continue
                where = "nothing outside this file declares or uses it"
            else:
                if project.used_outside(obj.name, facts.path, headers_only=True):
                    continue
                where = "no header declares it"
            yield self.report(facts, obj.site, name=obj.name, where=where)
