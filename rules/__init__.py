"""xenlint's rule catalogue: one module per rule id, and the one table every part reads.

A module's name gives its id and name (``xl101_legacy_vcpu_info_index``:
XL101, legacy-vcpu-info-index) and its docstring is the rule's
documentation (format: analyzer/rule.py).  Three families:

* suppression: problems with suppression comments, found by the gate
  (analyzer/suppressions.py);
* static: rules over the C front end's facts; each module holds the check;
* model: invariants and outcomes of the model cross-check (analyzer/crosscheck).

Ids are known without importing a rule module, so configuration and
``--select`` cost nothing until a rule runs or its documentation is shown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from analyzer.rule import Rule, RuleDoc

FAMILIES: dict[str, tuple[str, ...]] = {
    "suppression": (
        "xl001_malformed_suppression",
        "xl002_unknown_rule_in_suppression",
    ),
    "static": (
        "xl101_legacy_vcpu_info_index",
        "xl102_unbounded_legacy_fallback",
        "xl103_mapping_result_ignored",
        "xl104_registration_without_once_guard",
        "xl105_percpu_type_mismatch",
        "xl106_file_scope_not_static",
        "xl107_vcpu_info_may_cross_page",
    ),
    "model": (
        "xl201_invariant_i1",
        "xl202_invariant_i2",
        "xl203_invariant_i3",
        "xl204_invariant_i4",
        "xl205_invariant_i5",
        "xl206_invariant_i6",
        "xl207_invariant_i7",
        "xl208_invariant_i8",
        "xl209_invariant_i9",
        "xl210_invariant_i10",
        "xl211_invariant_i11",
        "xl250_model_divergence",
        "xl260_model_policy",
        "xl270_model_sandbox_stop",
        "xl280_model_extraction_incomplete",
    ),
}

# id -> (module, family), in catalogue order.
MODULES: dict[str, tuple[str, str]] = {
    module.partition("_")[0].upper(): (module, family)
    for family, modules in FAMILIES.items() for module in modules
}
ALL_IDS: tuple[str, ...] = tuple(MODULES)


def family_of(rule_id: str) -> str:
    return MODULES[rule_id][1]


@lru_cache(maxsize=None)
def doc(rule_id: str) -> RuleDoc:
    """The documentation of ``rule_id`` (KeyError for an unknown id)."""
    module, family = MODULES[rule_id]
    if family == "static":
        return static_rules()[rule_id].doc
    from analyzer.rule import module_doc

    return module_doc(module, family)


def all_docs() -> list[RuleDoc]:
    return [doc(rule_id) for rule_id in ALL_IDS]


def find(wanted: str) -> RuleDoc | None:
    """The rule whose id or name is ``wanted``."""
    text = wanted.strip()
    if text.upper() in MODULES:
        return doc(text.upper())
    return next((d for d in all_docs() if d.name == text), None)


@lru_cache(maxsize=1)
def static_rules() -> dict[str, Rule]:
    """An instance of each static rule, by id, in catalogue order."""
    import importlib

    from analyzer.rule import Rule

    out = {}
    for module_name in FAMILIES["static"]:
        module = importlib.import_module(f"rules.{module_name}")
        classes = [value for value in vars(module).values() if isinstance(value, type)
                   and issubclass(value, Rule) and value is not Rule
                   and value.__module__ == module.__name__]
        if len(classes) != 1:
            raise RuntimeError(f"rules.{module_name} must define exactly one Rule")
        rule = classes[0]()
        out[rule.id] = rule
    return out


class UnknownRule(ValueError):
    """A selector that names no rule; ``str`` says which."""


def matching(selector: str) -> list[str]:
    """Ids a selector names: an id, or a prefix of ids (``XL1``, ``XL10``, ``XL``), ruff style."""
    text = selector.strip().upper()
    found = [rule_id for rule_id in ALL_IDS if rule_id.startswith(text)] if text else []
    if not found:
        raise UnknownRule(selector.strip())
    return found


def selection(select: Iterable[str] = (), ignore: Iterable[str] = (),
              extend_select: Iterable[str] = (), default: Iterable[str] = ALL_IDS) -> frozenset[str]:
    """The ids a run reports: ``select`` (else ``default``) plus ``extend_select``,
    minus ``ignore``.  An id more specific than another wins, as in ruff:
    ``--select XL1 --ignore XL10`` leaves nothing, ``--ignore XL1 --select XL101``
    keeps XL101."""
    select, ignore, extend_select = list(select), list(ignore), list(extend_select)
    chosen: dict[str, tuple[int, bool]] = {rule_id: (-1, True) for rule_id in
                                           (default if not select else ())}
    for selectors, keep in ((select, True), (extend_select, True), (ignore, False)):
        for selector in selectors:
            specificity = len(selector.strip())
            for rule_id in matching(selector):
                previous = chosen.get(rule_id)
                if previous is None or specificity >= previous[0]:
                    chosen[rule_id] = (specificity, keep)
    return frozenset(rule_id for rule_id, (_, keep) in chosen.items() if keep)
