"""`--html DIR`: a page per distinct defect, parsed, and one rendered in headless Chromium."""

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import xenlint

from tests.conftest import FIXTURES

MODEL = FIXTURES / "model"


class Page(HTMLParser):
    """What a test needs of a page: links, row classes, texts, anything external."""

    def __init__(self, text: str):
        super().__init__()
        self.links, self.rows, self.tags, self.external = [], [], set(), []
        self.text = []
        self._row = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "a":
            self.links.append(attrs.get("href", ""))
        for key in ("href", "src"):
            if (attrs.get(key) or "").startswith(("http:", "https:", "//")):
                self.external.append(attrs[key])
        if tag == "tr":
            self._row = [attrs.get("class") or ""]
            self.rows.append(self._row)

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None:
            self._row.append(data)


def mutant(tmp_path: Path, name: str) -> Path:
    base = (MODEL / "reference.c").read_text()
    m = next(m for m in json.loads((MODEL / "mutants.json").read_text()) if m["name"] == name)
    code = tmp_path / "xen.c"
    code.write_text(base.replace(m["find"], m["replace"]))
    return code


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    code = mutant(tmp, "ignore the hypercall's result")
    run = xenlint("model", str(code), "--html", str(tmp / "out"), "--format", "json")
    assert run.code == 1, run.err
    return tmp / "out", json.loads(run.out)["findings"]


def test_index_links_every_distinct_defect(pages):
    folder, findings = pages
    index = Page((folder / "index.html").read_text())
    defects = [f for f in findings if "scenario" in (f.get("details") or {})]
    linked = [link for link in index.links if link.startswith("defect-")]
    assert len(linked) == len(defects) >= 4
    assert all((folder / link).is_file() for link in linked)


def test_a_defect_page_marks_the_path_and_the_root_cause(pages):
    folder, findings = pages
    f = next(f for f in findings if f["rule"] == "XL204")
    name = next(p.name for p in folder.glob(f"defect-*-xl204-line-{f['line']}.html"))
    page = Page((folder / name).read_text())
    cause = [row for row in page.rows if row[0] == "cause"]
    assert len(cause) == 1 and cause[0][1] == str(f["line"]) and "set_bit" in cause[0][2]
    kinds = {row[0] for row in page.rows}
    assert {"taken", "write"} <= kinds                      # branches and writes of the path
    text = "".join(page.text)
    assert f["details"]["scenario"] in text and "xenlint model" in text and "--replay" in text
    assert "event 1: BOOT_BSP" in text and "C run" in text and "model" in text
    assert "script" not in page.tags and not page.external  # static and self-contained


def test_check_with_model_writes_pages_too(tmp_path):
    code = mutant(tmp_path, "forget set_bit")
    run = xenlint("check", str(code), "--model", "always", "--html", str(tmp_path / "pages"), "--no-cache")
    assert run.code == 1, run.err
    assert (tmp_path / "pages" / "index.html").is_file()
    assert list((tmp_path / "pages").glob("defect-*-xl204-*.html"))


def _browser() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


def test_a_page_renders_in_headless_chromium(pages, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no headless browser: install Debian's chromium package (.ci/run does) to render pages")
    folder, _ = pages
    page = sorted(folder.glob("defect-*.html"))[0]
    shot = tmp_path / "page.png"
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri()],
                         capture_output=True, timeout=120)
    assert shot.is_file(), run.stderr[-500:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1400)
    assert len(data) > 20_000      # a blank page compresses to a few kilobytes


def test_review_writes_a_folder_of_pages_per_patch(seed_path, tmp_path):
    run = xenlint("review", str(seed_path), "--model", "--html", str(tmp_path / "pages"))
    assert run.code == 1, run.err
    folder = tmp_path / "pages" / "patch-01"
    index = Page((folder / "index.html").read_text())
    linked = [link for link in index.links if link.startswith("defect-")]
    assert linked and all((folder / link).is_file() for link in linked)
