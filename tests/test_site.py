"""make site: two builds differ only in the build date; the pages work offline in Chromium —
the diffs keep their colours, the revision graph is drawn by the vendored Mermaid, and no page
asks the internet for anything. `make test-site` (it executes the whole course twice)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lessonkit.core.paths import REPO_ROOT
from lessonkit.lesson.replay import sections
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS
from tools.build_site import builder_folders
from tools.lesson_info import lessons

pytestmark = pytest.mark.site
BUILD_DATE = re.compile(r"Собрано: [0-9-]+ [0-9:]+")
# Lessons whose point is a race between real processes (replicas, two application versions, a
# client holding a lock): who waited and how many writes failed differs from run to run, as it
# does in class. Their pages must exist and build; they are not compared byte for byte.
RACES = {
    "19_1_release_step.html",
    "19_2_expand_contract.html",
    "19_3_backfill_batches.html",
    "19_4_transactions_timeouts.html",
}


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
        if a != b and relative.name not in RACES:
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
        assert page.locator("text=Планы занятий").count() >= 1
        page.goto((site / "instructor" / "index.html").as_uri())
        assert page.locator("a[href$='.html']").count() >= len(lessons)
        browser.close()
    assert [url for url in asked if not url.startswith(("file:", "data:"))] == []


def test_no_page_shows_the_builders_machine(sites):
    """Repository-relative paths only: not the clone's folder, not the PostgreSQL data folder,
    the temp or the home folder, nor pip's index settings (lesson 01)."""
    site = sites[0]
    machine = [str(REPO_ROOT), *(folder + os.sep for folder in builder_folders())]
    machine += ["Looking in indexes", "Looking in links"]
    found = {}
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        hits = [m for m in machine if m in text]
        if hits:
            found[str(page.relative_to(site))] = hits
    assert found == {}


@pytest.fixture(scope="module")
def presenter(tmp_path_factory) -> Path:
    """Only the presenter view and the cheat sheet: nothing is executed (seconds, not minutes)."""
    out = tmp_path_factory.mktemp("presenter")
    subprocess.run(
        [sys.executable, "tools/build_site.py", "--instructor", "--out", str(out)],
        cwd=REPO_ROOT,
        check=True,
    )
    return out / "instructor"


def test_the_presenter_view_has_notes_timings_answers_and_upto_headings(presenter):
    for lesson in lessons():
        text = (presenter / f"{lesson.name}.html").read_text(encoding="utf-8")
        assert f"Подача — {lesson.teaching} мин, задания — {lesson.exercises} мин" in text
        assert text.count('class="note"') == len(lesson.notes), lesson.name
        assert text.count("<details open") == len(lesson.tagged("solution")), lesson.name
        notebook = nbformat.read(REPO_ROOT / "notebooks" / f"{lesson.name}.ipynb", 4)
        for section in sections(notebook):
            title = section.title.replace("`", "")
            shown = html.unescape(re.sub(r"</?code>", "", text))
            assert f'upto="{title}"' in shown, (lesson.name, title)
    index = (presenter / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{x.name}.html"' in index for x in lessons())


def test_the_presenter_view_reads_on_a_phone_and_the_cheat_sheet_prints_on_one_page(presenter):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        for lesson in lessons():
            phone.goto((presenter / f"{lesson.name}.html").as_uri())
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{lesson.name}: the page scrolls sideways ({width} px)"
        phone.goto((presenter / "06_manual_table.html").as_uri())
        phone.screenshot(path=str(SHOTS / "presenter-06-phone.png"))
        page = browser.new_page()
        page.goto((presenter / "cheatsheet.html").as_uri())
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (SHOTS / "cheatsheet.pdf").write_bytes(pdf)
        browser.close()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1, "the cheat sheet fits one A4 page"
