"""make site: two builds differ only in the build date; the pages work offline in Chromium —
the diffs keep their colours, the revision graph is drawn by the vendored Mermaid, and no page
asks the internet for anything. `make test-site` (it executes the whole course twice)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lessonkit.core.paths import REPO_ROOT
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.site
BUILD_DATE = re.compile(r"Собрано: [0-9-]+ [0-9:]+")


def build(out: Path) -> None:
    subprocess.run(
        [sys.executable, "tools/build_site.py", "--out", str(out)], cwd=REPO_ROOT, check=True
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("site1"), tmp_path_factory.mktemp("site2")
    build(first)
    build(second)
    return first, second


def test_two_builds_differ_only_in_the_build_date(sites):
    first, second = sites
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = []
    for relative in files:
        a, b = (first / relative).read_bytes(), (second / relative).read_bytes()
        if relative.name == "index.html":
            a, b = (BUILD_DATE.sub("", x.decode()).encode() for x in (a, b))
        if a != b:
            different.append(str(relative))
    assert different == []


def test_pages_work_offline_with_colours_and_graphs(sites):
    from playwright.sync_api import sync_playwright

    site = sites[0]
    lessons = sorted(p for p in site.glob("[0-9][0-9]_*.html"))
    # Every page carries the loader script; a page with a graph has its <pre class="mermaid">.
    graph_page = next(
        p for p in lessons if '<pre class="mermaid">' in p.read_text(encoding="utf-8")
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        asked = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto((site / "index.html").as_uri())
        assert page.locator("a[href$='.html']").count() >= len(lessons)
        for lesson in lessons:
            page.goto(lesson.as_uri())
            assert page.locator("nav a", has_text="Все уроки").count() == 2
        page.goto(lessons[0].as_uri())
        diff_line = page.locator(".lessonkit-diff div[style*='background']").nth(1)
        colour = diff_line.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour != "rgba(0, 0, 0, 0)", "the diff keeps its colours"
        page.goto(graph_page.as_uri())
        page.wait_for_selector(".jp-Mermaid svg", timeout=30_000)
        page.goto((site / "instructor.html").as_uri())
        assert page.locator("text=Расписание").count() >= 1
        browser.close()
    assert [url for url in asked if not url.startswith(("file:", "data:"))] == []
