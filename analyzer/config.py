"""Project configuration: `[tool.xenlint]` in pyproject.toml, or a .xenlint.toml.

Found by walking up from the checked path: in each directory a
``.xenlint.toml`` (keys at top level) wins over a ``pyproject.toml`` that has
a ``[tool.xenlint]`` table; the first directory that has either is used.

    release = "4.16-4.17"       # the Xen release the model assumes
    model-scope = "default"     # what check/check-patch/review cross-check: "default"
                                # (the default scenario set) or "exhaustive" (the stated scope)
    fail-on = "warning"         # default for --fail-on
    exclude = ["xen/tools/", "*.orig"]   # gitignore-style, relative to the file

    [rules]                     # [tool.xenlint.rules] in pyproject.toml
    XL106 = "off"               # off, on, info, warning, error

Anything unknown (a key, a rule id, a severity, a release) is an InputError
naming the file: a typo must never silently switch a check off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import InputError
from analyzer.findings import Severity
from analyzer.inputs.sources import read_input

# The L0 contract families the model cross-check knows (analyzer.model).
RELEASES = ("4.15", "4.16-4.17", "4.18+")
DEFAULT_RELEASE = "4.16-4.17"
_KEYS = {"release", "fail-on", "exclude", "profile", "rules", "model-scope"}
MODEL_SCOPES = ("default", "exhaustive")
_RULE_STATES = ("off", "on", "info", "warning", "error")


@dataclass
class Config:
    source: Path | None = None  # the file read, None when no file was found
    root: Path | None = None  # the directory exclude patterns are relative to
    release: str = DEFAULT_RELEASE
    fail_on: str | None = None
    exclude: list[str] = field(default_factory=list)
    disabled: set[str] = field(default_factory=set)
    # Rules given a state other than off (on, or a severity): named, so a
    # guest profile's default_off does not turn them off.
    named: set[str] = field(default_factory=set)
    profile: str | None = None  # profiles.CHOICES
    model_scope: str = "default"  # MODEL_SCOPES: the hook runs the default set unless told
    severities: dict[str, Severity] = field(default_factory=dict)

    def __post_init__(self):
        self._spec = None

    def is_excluded(self, path: Path) -> bool:
        """Does an exclude pattern cover ``path`` (absolute, or relative to the cwd)?"""
        if not self.exclude or self.root is None:
            return False
        try:
            rel = path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        if self._spec is None:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.exclude)
        return self._spec.match_file(rel.as_posix())


def normalise_release(value: object, source: str) -> str:
    """One of RELEASES; a plain "4.N" is mapped to the family it belongs to."""
    text = str(value).strip()
    if text in RELEASES:
        return text
    parts = text.split(".")
    if len(parts) == 2 and parts[0] == "4" and parts[1].isdigit():
        minor = int(parts[1])
        if minor == 15:
            return "4.15"
        if minor in (16, 17):
            return "4.16-4.17"
        if minor >= 18:
            return "4.18+"
    raise InputError(source, f"release {text!r} is not one the model knows "
                             f"({', '.join(RELEASES)}, or 4.15 and later as 4.N)")


def _table(path: Path) -> dict | None:
    import tomllib  # only when there is a configuration file

    raw = read_input(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("xenlint")
    return data


def parse_config(path: Path) -> Config:
    """Read one configuration file (a pyproject.toml without the table gives defaults)."""
    table = _table(path)
    config = Config(source=path, root=path.parent)
    if table is None:
        return config
    name = str(path)
    if not isinstance(table, dict):
        raise InputError(name, "[tool.xenlint] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise InputError(name, f"unknown key {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    if "release" in table:
        config.release = normalise_release(table["release"], name)
    if "fail-on" in table:
        value = str(table["fail-on"]).lower()
        if value not in ("info", "warning", "error", "never"):
            raise InputError(name, f"fail-on {table['fail-on']!r} is not info, warning, error or never")
        config.fail_on = value
    if "exclude" in table:
        exclude = table["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
            raise InputError(name, "exclude must be a list of path patterns")
        config.exclude = list(exclude)
    if "profile" in table:
        from analyzer.profiles import CHOICES

        value = str(table["profile"]).lower()
        if value not in CHOICES:
            raise InputError(name, f"profile {table['profile']!r} is not one of {', '.join(CHOICES)}")
        config.profile = value
    if "model-scope" in table:
        value = str(table["model-scope"]).lower()
        if value not in MODEL_SCOPES:
            raise InputError(name, f"model-scope {table['model-scope']!r} is not one of {', '.join(MODEL_SCOPES)}")
        config.model_scope = value
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise InputError(name, "rules must be a table of rule id = state")
    from rules import MODULES

    for rule_id, state in rules.items():
        if rule_id.upper() not in MODULES:
            raise InputError(name, f"unknown rule id {rule_id} in rules (see 'xenlint rules')")
        state_text = str(state).lower()
        if state_text not in _RULE_STATES:
            raise InputError(name, f"rule {rule_id}: {state!r} is not one of {', '.join(_RULE_STATES)}")
        if state_text == "off":
            config.disabled.add(rule_id.upper())
            continue
        config.named.add(rule_id.upper())
        if state_text != "on":
            config.severities[rule_id.upper()] = Severity.parse(state_text)
    return config


def find_config(start: Path) -> Path | None:
    """The configuration file that governs ``start``, walking up to the filesystem root."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        dot = directory / ".xenlint.toml"
        if dot.is_file():
            return dot
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _table(pyproject) is not None:
            return pyproject
    return None


def load_config(start: Path, explicit: str | None = None) -> Config:
    """The configuration for a run over ``start``: ``explicit`` (--config) or the one found."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise InputError(explicit, "configuration file not found")
        return parse_config(path)
    found = find_config(start)
    return parse_config(found) if found else Config()
