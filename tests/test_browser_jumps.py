"""A jump with upto= and a helper that fails on purpose, as a person sees them in JupyterLab
(headless Chromium, as tests/test_browser.py): the first cell shows its welcome and a one-line
summary, nothing red; the failing cell shows the database's own message framed in Russian in
a few lines, the full traceback collapsed. Screenshots go to work/browser/ (jumps-*.png).
`make test-browser`, or `.venv/bin/python -m pytest -m browser tests/test_browser_jumps.py`."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from tests.test_browser import CHROMIUM, SHOTS, start_lab
from tools import labserver

pytestmark = pytest.mark.browser
PAGES = WORK_DIR / "browser-jumps"  # the pages this test writes (work/ is git-ignored)
# Heights measured in this viewport at JupyterLab's default font size (README, «Замеры»).
FIRST_CELL_MAX_PX = 260  # the welcome table and the one-line summary
FAILING_CELL_MAX_LINES = 8


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as the browser test starts it (without its instructor build: this test writes
    its own pages)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: apt-get install chromium (.ci/run does it)")
    base, server = start_lab(tmp_path_factory.mktemp("lab"))
    yield base
    labserver.stop_lab(server)


def write_page(name: str, cells: list[tuple[str, bool]]) -> Path:
    """A notebook of code cells (source, fails on purpose) under work/browser-jumps/."""
    notebook = nbformat.v4.new_notebook()
    for source, fails in cells:
        cell = nbformat.v4.new_code_cell(source)
        if fails:
            cell.metadata["tags"] = ["raises-exception"]
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    PAGES.mkdir(parents=True, exist_ok=True)
    path = PAGES / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def run_page(browser, lab: str, path: Path, timeout: float = 240):
    """Open the page and run it as a learner does: «Ядро → Перезапустить ядро и Запустить все
    ячейки…»; return the page once every cell has its number and the kernel is idle."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    relative = path.relative_to(REPO_ROOT).as_posix()
    page.goto(f"{lab}/lab/tree/{relative}?reset&token={labserver.TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function("document.body.innerText.includes('Простаивает')", timeout=180_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Ядро").click()
    page.locator(".lm-Menu-itemLabel", has_text="Запустить все ячейки").first.click()
    page.locator(".jp-Dialog-button.jp-mod-accept", has_text="Перезапустить").click()
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=30_000)
    cells = len(nbformat.read(path, 4).cells)
    deadline = time.monotonic() + timeout
    while True:
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        numbered = [p for p in prompts if p.strip()[1:2].isdigit()]
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if len(numbered) == cells and idle:
            return page
        if time.monotonic() > deadline:
            page.screenshot(path=str(SHOTS / f"jumps-unfinished-{path.stem}.png"), full_page=True)
            pytest.fail(f"{path.name}: {len(numbered)} of {cells} cells ran")
        time.sleep(0.5)


def shut_down_kernels(lab: str) -> None:
    """Close every session, as «Ядро → Завершить работу ядра» does: the next page's kernel
    must not find the lesson's sandbox owned by this one."""
    api = f"{lab}/api/sessions?token={labserver.TOKEN}"
    with urllib.request.urlopen(api, timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        url = f"{lab}/api/sessions/{session['id']}?token={labserver.TOKEN}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30)


def output_of(page, index: int):
    return page.locator(".jp-CodeCell").nth(index).locator(".jp-OutputArea")


def height(page, index: int) -> float:
    box = output_of(page, index).bounding_box()
    return box["height"] if box else 0.0


def red_blocks(page, index: int) -> int:
    """Error outputs (a traceback or stderr) of a cell."""
    area = output_of(page, index)
    return area.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).count()


def visible_lines(page, index: int) -> list[str]:
    """The lines a person reads in a cell's output (a closed <details> hides its body)."""
    text = output_of(page, index).inner_text()
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def kernels_closed_after(lab):
    yield
    shut_down_kernels(lab)


JUMPS = {
    "06": 'lesson = start_lesson("06_manual_table", db="sqlite", upto="Ловушки")',
    "14_3": 'lesson = start_lesson("14_3_enum_values", upto="Итоги")',  # fixed to PostgreSQL
}


@pytest.mark.parametrize("jump", JUMPS, ids=list(JUMPS))
def test_a_jump_leaves_a_short_first_cell(lab, browser, jump):
    page_cells = [(f"from lessonkit import start_lesson\n\n{JUMPS[jump]}", False)]
    path = write_page(f"upto_{jump}", page_cells)
    page = run_page(browser, lab, path)
    first = height(page, 0)
    page.screenshot(path=str(SHOTS / f"jumps-upto-{jump}.png"), full_page=True)
    print(f"upto {jump}: first cell output {first:.0f} px")
    text = "\n".join(visible_lines(page, 0))
    assert "⏩" in text, "the one-line summary is there"
    assert red_blocks(page, 0) == 0, "no error block from a cell that failed on purpose"
    assert "прочитайте сообщение Alembic выше" not in text
    assert first <= FIRST_CELL_MAX_PX, f"the first cell is {first:.0f} px tall"
    page.close()


def test_a_failing_query_shows_a_few_lines(lab, browser):
    insert = (
        "lesson.query(\"INSERT INTO users (username, email) VALUES ('alice', 'a@example.com')\")"
    )
    path = write_page(
        "query_fails",
        [
            (f"from lessonkit import start_lesson\n\n{JUMPS['06']}", False),
            (insert, False),
            (insert, True),  # the same user again: UNIQUE refuses it
        ],
    )
    page = run_page(browser, lab, path)
    failing = output_of(page, 2)
    failing.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "jumps-query-fails.png"))
    lines = visible_lines(page, 2)
    print(f"failing query: {len(lines)} lines, {height(page, 2):.0f} px:", *lines, sep="\n  ")
    assert any("UNIQUE constraint failed: users." in line for line in lines)
    assert not any("sqlalche.me" in line or "File " in line for line in lines)
    assert len(lines) <= FAILING_CELL_MAX_LINES, lines
    details = failing.locator("details")
    assert details.count() == 1 and details.get_attribute("open") is None, "traceback collapsed"
    details.locator("summary").click()  # one click away
    assert "Traceback" in failing.inner_text()
    page.screenshot(path=str(SHOTS / "jumps-query-fails-opened.png"))
    page.close()
