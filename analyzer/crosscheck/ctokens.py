"""A small C tokenizer: enough to split a file into top-level items.

It keeps byte offsets so extracted text is an exact slice of the input, and
it never needs the headers (macros stay identifiers), which is what lets
extraction work on a hunk as well as on a whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<pp>^[ \t]*\#(?:\\\n|[^\n])*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<number>\.?\d[\w.]*(?:[eEpP][+-]\w*)?)
  | (?P<punct>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=?:;,.()\[\]{}]|\S)
""", re.S | re.M | re.X)


@dataclass(frozen=True)
class Token:
    kind: str    # ident, number, string, punct
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`, without whitespace, comments and preprocessor lines."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment", "pp"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
