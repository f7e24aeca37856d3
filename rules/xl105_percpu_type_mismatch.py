"""DECLARE_PER_CPU type differs from the matching DEFINE_PER_CPU

Severity:   error
Confidence: high

What it does
    Compares every DECLARE_PER_CPU(type, name) with the DEFINE_PER_CPU* of
    the same name (in a tree: across files; in a patch: against the tree
    or within the patch), and flags the declaration whose type differs;
    also two definitions that disagree.
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
from analyzer.programs import same_image
from analyzer.rule import Rule


class PerCpuTypeMismatch(Rule):
    message = ("{macro}({type}, {name}) does not match the definition {def_type!r} at "
               "{def_path}:{def_line}")
    needs = ("percpu",)

    def check(self, facts, project):
        entries = project.percpu_by_name()
        for decl in facts.percpu:
            others = entries.get(decl.name, [])
            # A static definition is a different variable from every other
            # file's: it only pairs with entries of its own file.  Files that
            # never share an image (two architectures, a kernel and its
            # tools) never pair.
            definitions = [(p, d) for p, d in others if d.is_definition and (
                p == facts.path or not (d.is_static or decl.is_static)) and same_image(p, facts.path)]
            if not definitions:
                continue
            # The first definition (by path, line) is the reference.
            ref_path, ref = min(definitions, key=lambda pd: (pd[0], pd[1].site.line))
            if ref is decl or type_key(ref.type_text) == type_key(decl.type_text):
                continue
            finding = self.report(facts, decl.site, macro=decl.macro, type=decl.type_text,
                                  name=decl.name, def_type=ref.type_text, def_path=ref_path,
                                  def_line=ref.site.line)
            finding.details["definition"] = [ref_path, ref.site.line]
            yield finding
