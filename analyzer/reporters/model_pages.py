"""Static pages for the model's distinct defects: an index and one page each.

Each page shows the checked source with the counterexample's path marked
statement by statement (branches taken and not taken, the writes, the
statement that caused the defect), the per-CPU pointer table of the C run
next to the model's after every event, the scenario and the command that
replays it.  Pages are self-contained: inline CSS, no script, no network, so
a CI job can keep them as an artifact.  `render` returns {file name: HTML};
the command writes them.
"""

from __future__ import annotations

import html

MAX_EVENTS = 200        # events shown per page; the rest are counted
CONTEXT = 3             # source lines shown around the path

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 78em; color: #1b1b1b; }
h1 { font-size: 1.35em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
code, pre, td.src { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
table { border-collapse: collapse; margin: .4em 0; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
table.source td { border: 0; padding: 0 8px; white-space: pre; }
table.source td.no { color: #888; text-align: right; user-select: none; }
tr.taken td.src { background: #e3f4e1; } tr.nottaken td.src { background: #f1f1f1; }
tr.write td.src { background: #fff0d6; } tr.cause td.src { background: #ffd9d6; font-weight: bold; }
tr.cause td.no { color: #b00; font-weight: bold; }
td.note { color: #555; font-style: italic; }
tr.differs td { background: #ffe9e6; }
.sev-error { color: #b00; } .sev-warning { color: #a60; } .sev-info { color: #357; }
.gap td { color: #aaa; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def page_name(index: int, finding) -> str:
    return f"defect-{index + 1:02d}-{finding.rule_id.lower()}-line-{finding.line}.html"


def render(findings, sources: dict[str, str], replays: dict, *, title: str = "xenlint model",
           summary: str = "") -> dict[str, str]:
    """`findings`: the model's findings (only those with a scenario get a page);
    `sources`: path -> checked text; `replays`: finding fingerprint -> its
    scenario's ScenarioResult with every event (None when it could not run)."""
    defects = [f for f in findings if "scenario" in f.details]
    pages = {}
    rows = []
    for i, f in enumerate(defects):
        name = page_name(i, f)
        pages[name] = _defect_page(f, sources.get(f.path, ""), replays.get(f.fingerprint()))
        rows.append(f"<tr><td><a href=\"{_e(name)}\">{_e(f.rule_id)}</a></td>"
                    f"<td class=\"sev-{_e(f.severity)}\">{_e(f.severity)}</td>"
                    f"<td>{_e(f.path)}:{f.line}</td><td>{_e(f.function or '')}</td>"
                    f"<td>{_e(f.message)}</td></tr>")
    others = [f for f in findings if "scenario" not in f.details]
    body = [f"<h1>{_e(title)}</h1>"]
    if summary:
        body.append(f"<p>{_e(summary)}</p>")
    body.append(f"<p>{len(defects)} distinct defect(s), each with its own page.</p>")
    if rows:
        body += ["<table><tr><th>rule</th><th>severity</th><th>where</th><th>function</th>"
                 "<th>what</th></tr>", *rows, "</table>"]
    if others:
        body.append("<h2>Other findings of the cross-check</h2><ul>")
        body += [f"<li>{_e(f.path)}:{f.line}: {_e(f.severity)}: {_e(f.message)} [{_e(f.rule_id)}]</li>"
                 for f in others]
        body.append("</ul>")
    pages["index.html"] = _page(title, body)
    return pages


def _defect_page(f, text: str, result) -> str:
    steps = f.details.get("path") or []
    body = ["<p><a href=\"index.html\">all defects</a></p>",
            f"<h1>{_e(f.rule_id)} at {_e(f.path)}:{f.line}"
            + (f" in {_e(f.function)}()" if f.function else "") + "</h1>",
            f"<p class=\"sev-{_e(f.severity)}\">{_e(f.message)}</p>"]
    if f.details.get("cause"):
        body.append(f"<p>Root cause: line {f.line}: {_e(f.details['cause'])}.</p>")
    body.append("<h2>The path to it</h2>")
    body += _source_listing(text, steps, f.line) if text else ["<p>(source not available)</p>"]
    if steps:
        body.append("<ol>" + "".join(f"<li><code>{_e(s['text'])}</code></li>" for s in steps) + "</ol>")
    body.append("<h2>Scenario</h2>")
    body.append(f"<pre>{_e(f.details.get('scenario', ''))}</pre>")
    if f.details.get("replay"):
        body.append(f"<p>Replay it step by step:</p><pre>{_e(f.details['replay'])}</pre>")
    body.append("<h2>Per-CPU pointers after each event: C run and model</h2>")
    body += _event_tables(result) if result is not None else [
        "<p>(the scenario could not be run again for this page)</p>"]
    return _page(f"{f.rule_id} {f.path}:{f.line}", body)


def _source_listing(text: str, steps: list[dict], cause: int) -> list[str]:
    lines = text.splitlines()
    marks: dict[int, list[str]] = {}
    kinds: dict[int, str] = {}
    event = ""
    for s in steps:
        if s["kind"] == "event":
            event = s["text"].split(":")[0]
            continue
        line = s.get("line")
        if not line:
            continue
        if s["kind"] == "branch":
            kind, note = ("taken", "taken") if s.get("taken") else ("nottaken", "not taken")
        elif s["kind"] == "stop":
            kind, note = "write", "stopped here"
        elif s["kind"] == "exit":
            kind, note = "write", "left here"
        else:
            kind, note = "write", "wrote"
        kinds.setdefault(line, kind)
        if kinds[line] != kind and kind == "write":
            kinds[line] = kind
        marks.setdefault(line, []).append(f"{event}: {note}")
    wanted = set(marks) | {cause}
    shown = sorted({n for line in wanted for n in range(line - CONTEXT, line + CONTEXT + 1)
                    if 1 <= n <= len(lines)})
    out = ["<table class=\"source\">"]
    prev = 0
    for n in shown:
        if prev and n != prev + 1:
            out.append("<tr class=\"gap\"><td class=\"no\">…</td><td class=\"src\"></td><td></td></tr>")
        prev = n
        cls = "cause" if n == cause else kinds.get(n, "")
        notes = marks.get(n, [])
        note = "; ".join(notes[:4]) + (f"; … {len(notes) - 4} more" if len(notes) > 4 else "")
        if n == cause:
            note = ("ROOT CAUSE. " + note).strip()
        out.append(f"<tr class=\"{cls}\"><td class=\"no\">{n}</td><td class=\"src\">{_e(lines[n - 1])}"
                   f"</td><td class=\"note\">{_e(note)}</td></tr>")
    out.append("</table>")
    return out


def _event_tables(result) -> list[str]:
    from analyzer.crosscheck.findings import pointer_table

    out = []
    for ev in result.events[:MAX_EVENTS]:
        kind, cpu = ev.event
        head = f"event {ev.index + 1}: {kind}" + ("" if cpu < 0 else f":{cpu}")
        state = f"C {ev.c.stop.name.lower()}, model {ev.model.stop.name.lower()}"
        out.append(f"<h3>{_e(head)} <small>({_e(state)})</small></h3>")
        if ev.violations:
            out.append("<ul>" + "".join(f"<li>I{v.invariant}: {_e(v.detail)}</li>" for v in ev.violations)
                       + "</ul>")
        out.append("<table><tr><th>CPU</th><th>vCPU</th><th>C run</th><th>model</th></tr>")
        for row in pointer_table(ev):
            cls = " class=\"differs\"" if row["c"] != row["model"] else ""
            out.append(f"<tr{cls}><td>{row['cpu']}</td><td>{row['vcpu']}</td>"
                       f"<td>{_e(row['c'])}</td><td>{_e(row['model'])}</td></tr>")
        out.append("</table>")
    if len(result.events) > MAX_EVENTS:
        out.append(f"<p>… {len(result.events) - MAX_EVENTS} more events (the replay command shows them)</p>")
    return out

