"""DECLARE_PER_CPU type differs from the matching DEFINE_PER_CPU

Severity:   error
Confidence: high

What it does
    Compares every DECLARE_PER_CPU(type, name) (FreeBSD: DPCPU_DECLARE)
    with the definitions of the same name that can be linked with it (in a
    tree: across files of one image, common code with one architecture at
    a time; in a patch: against the tree or within the patch), and flags
    the declaration whose type matches none of them. Several definitions
    of one name in one image are configuration alternatives (Linux's
    32-bit and 64-bit hardirq_stack_ptr): a declaration may match any.
Why it matters
    Per-CPU variables live in a special section and are reached through
    macros, so no compiler sees the definition and the declaration
    together. A type mismatch makes one file read an int where another
    wrote a pointer.
Example
    /* xen.c */  DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);
    /* time.c */ DECLARE_PER_CPU(struct vcpu_info, vcpu_info);
Use instead
    /* one declaration in a header both files include */
    DECLARE_PER_CPU(struct vcpu_info *, vcpu_info);
"""

from analyzer.frontend.facts import type_key
from analyzer.rule import Rule


class PerCpuTypeMismatch(Rule):
    message = ("{macro}({type}, {name}) does not match the definition {def_type!r} at "
               "{def_path}:{def_line}")
    # In a patch that changed the definition and left the declaration alone.
    message_at_definition = ("{macro}({type}, {name}) no longer matches {decl_macro}({decl_type}, "
                             "{name}) at {decl_path}:{decl_line}, which this change leaves as it was")
    needs = ("percpu",)

    def check(self, facts, project):
        entries = project.percpu_by_name()
        for decl in facts.percpu:
            if decl.is_definition:
                continue
            # A static definition is a different variable from every other
            # file's: it only pairs with entries of its own file.  Files that
            # never share an image (two architectures, a kernel and its
            # tools) never pair.
            definitions = sorted(
                ((p, d) for p, d in entries.get(decl.name, []) if d.is_definition
                 and (p == facts.path or not (d.is_static or decl.is_static))
                 and project.same_image(p, facts.path)),
                key=lambda pd: (pd[0], pd[1].site.line))
            wanted = type_key(decl.type_text)
            if not definitions or any(type_key(d.type_text) == wanted for _, d in definitions):
                continue
            ref_path, ref = definitions[0]
            finding = self.report(facts, decl.site, macro=decl.macro, type=decl.type_text,
                                  name=decl.name, def_type=ref.type_text, def_path=ref_path,
                                  def_line=ref.site.line)
            finding.details["definition"] = [ref_path, ref.site.line]
            yield finding

    def anchor_in_change(self, finding, added, project):
        def_path, def_line = finding.details.get("definition", (None, None))
        if finding.line in added.get(finding.path, ()) or def_line not in added.get(def_path, ()):
            return finding
        facts = project.files[def_path]
        definition = next(d for d in facts.percpu if d.site.line == def_line and d.is_definition)
        declaration = next(d for d in project.files[finding.path].percpu
                           if d.site.line == finding.line and not d.is_definition)
        moved = self.report(facts, definition.site, self.message_at_definition,
                            macro=definition.macro, type=definition.type_text, name=definition.name,
                            decl_macro=declaration.macro, decl_type=declaration.type_text,
                            decl_path=finding.path, decl_line=finding.line)
        moved.details["declaration"] = [finding.path, finding.line]
        moved.profile = finding.profile
        return moved
