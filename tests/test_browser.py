"""The course as a person sees it: JupyterLab in headless Chromium, «Перезапустить ядро и
Запустить все ячейки…», then what is on the screen. `make test-browser` (Debian's chromium,
driven by Playwright; no browser download). Screenshots go to work/browser/ for a person to
look at."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from tools import labserver

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = WORK_DIR / "browser"
TOKEN = labserver.TOKEN
# Without these, Chromium keeps calling home on a machine with a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def start_lab(scratch: Path) -> tuple[str, subprocess.Popen]:
    """JupyterLab as `make lab` starts it (tools/labserver.py), with three test settings in a
    user settings folder of its own: every cell in the page (JupyterLab renders only the
    visible ones by default), so the test can count them; no autosave (the executed notebooks
    must not be written back into the repository); a workspace of its own (no tabs restored
    from an earlier session). The course's own settings (Russian) come from the environment."""
    settings, workspaces = scratch / "settings", scratch / "workspaces"
    for plugin, value in {
        "notebook-extension/tracker": '{"windowingMode": "none"}',
        "docmanager-extension/plugin": '{"autosave": false}',
    }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value, encoding="utf-8")
    workspaces.mkdir(parents=True, exist_ok=True)
    return labserver.start_lab(
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: apt-get install chromium (.ci/run does it)")
    subprocess.run(
        [sys.executable, "tools/build_notebooks.py", "--instructor"], cwd=REPO_ROOT, check=True
    )
    base, server = start_lab(tmp_path_factory.mktemp("lab"))
    yield base
    labserver.stop_lab(server)


def restart_and_run_all(page, notebook: Path, timeout: float = 120) -> None:
    """The learner's way: the Kernel menu, «Перезапустить ядро и Запустить все ячейки…»."""
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    kernel_idle = "document.body.innerText.includes('Простаивает')"  # the status bar
    page.wait_for_function(kernel_idle, timeout=180_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Ядро").click()
    page.locator(".lm-Menu-itemLabel", has_text="Запустить все ячейки").first.click()
    page.locator(".jp-Dialog-button.jp-mod-accept", has_text="Перезапустить").click()
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=30_000)
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(notebook, 4).cells)
    deadline = time.monotonic() + timeout
    while True:  # done when every code cell shows a number and the kernel is idle
        counts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        numbered = [c for c in counts if c.strip().startswith("[") and c.strip()[1:2].isdigit()]
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if len(numbered) == code_cells and idle:
            return
        if time.monotonic() > deadline:
            page.screenshot(path=str(SHOTS / f"unfinished-{notebook.stem}.png"), full_page=True)
            pytest.fail(
                f"{notebook.name}: Run All did not finish: {len(numbered)} of {code_cells} cells "
                f"numbered, kernel idle: {bool(idle)}; prompts {counts[:5]}…"
            )
        time.sleep(0.5)


def open_notebook(browser, lab: str, relative: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab}/lab/tree/{relative}?reset&token={TOKEN}")  # no tabs of an earlier page
    return page


def error_outputs(page) -> int:
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).count()


def failing_on_purpose(notebook: Path) -> int:
    cells = nbformat.read(notebook, 4).cells
    return sum("raises-exception" in c.metadata.get("tags", []) for c in cells)


@pytest.mark.parametrize("lesson", ["00_intro", "06_manual_table"])
def test_a_lesson_runs_in_the_browser_with_its_boxes(lab, browser, lesson):
    notebook = REPO_ROOT / "notebooks" / f"{lesson}.ipynb"
    page = open_notebook(browser, lab, f"notebooks/{lesson}.ipynb")
    restart_and_run_all(page, notebook)
    page.screenshot(path=str(SHOTS / f"{lesson}.png"), full_page=True)
    menu = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert {"Файл", "Ядро", "Справка"} <= set(menu), "the interface is in Russian"
    assert page.locator(".lessonkit-diff").count() > 0, "the schema diff boxes are rendered"
    assert page.locator(".lessonkit-box").count() > 0, "the message boxes are rendered"
    assert error_outputs(page) == failing_on_purpose(notebook), "no unexpected error"
    page.close()


def test_the_revision_graph_is_drawn_as_svg(lab, browser):
    graph_lessons = [
        p
        for p in sorted((REPO_ROOT / "notebooks").glob("13_*.ipynb"))
        if "show_graph" in p.read_text(encoding="utf-8")
    ]
    notebook = graph_lessons[0]
    page = open_notebook(browser, lab, f"notebooks/{notebook.name}")
    restart_and_run_all(page, notebook)
    # JupyterLab draws the Mermaid source and shows the drawing as an SVG image.
    graph = ".jp-RenderedMermaid img[src^='data:image/svg+xml']"
    page.wait_for_selector(graph, timeout=30_000)
    page.locator(graph).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{notebook.stem}.png"))
    assert page.locator(graph).count() >= 1
    assert error_outputs(page) == failing_on_purpose(notebook)
    page.close()


def test_instructor_notes_are_visible_in_the_instructor_build(lab, browser):
    page = open_notebook(browser, lab, "instructor/06_manual_table.ipynb")
    notes = page.locator(".jp-RenderedMarkdown", has_text="Инструктору")
    notes.first.wait_for(timeout=60_000)
    notes.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "06_manual_table-instructor.png"))
    assert page.locator(".jp-RenderedMarkdown", has_text="Версия для инструктора").count() == 1
    assert notes.count() >= 3 and notes.first.is_visible()
    page.close()


# The menu paths the instructor's documents name: «Меню → Пункт» (or «… → Подменю → Пункт»),
# whatever starts with a label of JupyterLab's Russian menu bar.
MENU_PATH = re.compile(r"«([^«»]+?(?: → [^«»]+?)+)»")
MENU_BAR = ("Файл", "Редактировать", "Просмотр", "Выполнить", "Ядро", "Вкладки", "Настройки")
GUIDES = ("INSTRUCTOR.md", "INSTRUCTOR-CHEATSHEET.md", "README.md", "LEARNER-LETTER.md")
RISE_ITEMS = ("Render as Reveal Slideshow", "Full screen slideshow")  # jupyterlab-rise's own


def menu_paths() -> list[list[str]]:
    found = set()
    for name in GUIDES:
        path = REPO_ROOT / name
        text = " ".join(path.read_text(encoding="utf-8").split()) if path.exists() else ""
        for match in MENU_PATH.finditer(text):
            steps = [step.strip() for step in match.group(1).split(" → ")]
            if steps[0] in MENU_BAR:
                found.add(tuple(steps))
    return [list(steps) for steps in sorted(found)]


def test_every_menu_path_the_guides_name_exists(lab, browser):
    """Open each named menu path in the Russian JupyterLab, as an instructor would."""
    paths = menu_paths()
    assert ["Просмотр", "Оформление", "Режим презентации"] in paths
    rise = importlib.util.find_spec("jupyterlab_rise") is not None
    page = open_notebook(browser, lab, "notebooks/06_manual_table.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    missing, checked = [], 0
    for steps in paths:
        if steps[-1] in RISE_ITEMS and not rise:
            continue  # an optional extension (course.py rise), not in the lock
        page.locator(".lm-MenuBar-itemLabel", has_text=steps[0]).first.click()
        for step in steps[1:]:
            menu = page.locator(".lm-Menu:visible").last
            item = menu.locator(".lm-Menu-itemLabel").filter(
                has_text=re.compile("^" + re.escape(step) + "$")
            )
            if item.count() == 0:
                missing.append(" → ".join(steps))
                break
            item.first.hover()
            page.wait_for_timeout(400)  # a submenu opens after a short delay
        else:
            checked += 1
        if steps == ["Просмотр", "Оформление", "Режим презентации"]:
            page.screenshot(path=str(SHOTS / "menu-view-appearance.png"))
        for _ in steps:
            page.keyboard.press("Escape")
    page.close()
    assert missing == [], missing
    assert checked >= 6


def test_rise_css_is_served_beside_the_instructor_notebooks(lab):
    """jupyterlab-rise asks for rise.css in the notebook's folder: instructor/ has it too."""
    for folder in ("notebooks", "instructor"):
        with urllib.request.urlopen(f"{lab}/files/{folder}/rise.css?token={TOKEN}") as answer:
            assert answer.status == 200
            assert b".jp-Notebook-footer" in answer.read()


PRESENT_SLIDE = (
    ".reveal .slides section.present section.present, .reveal .slides > section.present:not(.stack)"
)


def test_slides_fit_a_1280x800_projector(lab, browser):
    """The slides of lesson 06, executed, at 1280×800 in jupyterlab-rise (optional: `course.py
    rise`): no slide taller than the screen — long outputs scroll inside it."""
    pytest.importorskip("jupyterlab_rise")
    folder = WORK_DIR / "rise-check"
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(REPO_ROOT / "notebooks" / "06_manual_table.ipynb", 4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(REPO_ROOT / "notebooks")}},
    ).execute()
    nbformat.write(notebook, folder / "06_manual_table.ipynb")
    shutil.copy(REPO_ROOT / "notebooks" / "rise.css", folder / "rise.css")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{lab}/rise/work/rise-check/06_manual_table.ipynb?token={TOKEN}")
    page.wait_for_selector(".reveal .slides section", timeout=120_000)
    page.wait_for_timeout(3000)
    heights, seen = {}, set()
    for _ in range(200):
        where = page.evaluate("location.hash")
        if where in seen:
            break
        seen.add(where)
        heights[where] = page.locator(PRESENT_SLIDE).last.evaluate("e => e.clientHeight")
        if where == "#/slide-3-0":  # «Ловушки»
            page.screenshot(path=str(SHOTS / "rise-06-traps.png"))
        page.keyboard.press("Space")
        page.wait_for_timeout(500)
    page.close()
    assert len(heights) > 20, heights
    assert max(heights.values()) <= 800, heights
