"""make site: the course as a static HTML site in site/ (git-ignored), readable offline.

    python tools/build_site.py [--jobs N] [--out site]

Every learner notebook is executed in a fresh kernel (COURSE_REPRODUCIBLE=1, see
lessonkit/cli/reproducible.py) and exported with nbconvert's JupyterLab template. Then:
- the pages load nothing from the internet: nbconvert's CDN scripts (MathJax, require.js,
  Mermaid) are removed, and Mermaid comes from a copy vendored at build time from the npm
  registry (`npm pack mermaid@<version>`, cached in work/.cache/), loaded as a classic script so
  that pages opened from disk (file://) render the graphs too;
- the coloured diffs keep their colours (they are inline styles);
- what varies between two runs is made stable: stream chunks are merged, kernels run with a
  fixed hash seed and address layout (the order of Alembic's log lines), and the outputs have
  durations, SQL timings, timestamps and memory addresses masked — so two builds differ only
  in the build date on the index page;
- an index lists the lessons with their timings, each page links to the previous and the next
  lesson, and the instructor guide with the workshop plans is a page of its own;
- no page shows the builder's machine: outputs are masked (lessonkit.core.paths.shorten_paths)
  of the clone's path, the PostgreSQL data folder, the temp and the home folders;
- site/instructor/ is the presenter view and the printable cheat sheet (tools/presenter.py;
  `--instructor` builds only that, in seconds).
Jupyter Book is not used: version 2 downloads its theme at build time and fails offline.
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from jupyter_client import KernelManager  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402
from nbconvert.preprocessors import CoalesceStreamsPreprocessor  # noqa: E402

from lessonkit.core.paths import ENV_MASK, shorten_paths  # noqa: E402
from lessonkit.databases.pg_server import data_root  # noqa: E402
from tools import presenter  # noqa: E402
from tools.lesson_info import lessons as lesson_timings  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
CACHE = ROOT / "work" / ".cache"
MERMAID_VERSION = "11.10.0"  # what nbconvert's template asks its CDN for
ASSET = "assets/mermaid.min.js"

# Outputs that change from run to run, and what they become.
MASKS = [
    # The time a row was written (server_default=now(), datetime.now() in a lesson).
    (re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d)?"), "…"),
    (re.compile(r"datetime\.datetime\(\d{4}, [^)]*\)"), "datetime.datetime(…)"),
    (re.compile(r"\[(generated in|cached since) [0-9.e-]+s( ago)?\]"), r"[\1 …]"),
    (re.compile(r"\[no key [0-9.e-]+s\]"), "[no key …]"),
    (re.compile(r"\b0x[0-9a-f]{6,}\b"), "0x…"),
    (re.compile(r"\b\d+(?:[.,]\d+)? ?(мс|ms)\b"), r"… \1"),
    # …but not the report's fixed threshold («дольше 0.05 с») in lesson 17.
    (re.compile(r"(?<!дольше )\b\d+[.,]\d+ ?(с|s|сек)\b"), r"… \1"),
    # How many queries the application made while a migration ran (lesson 17).
    (re.compile(r"запросов \d+"), "запросов …"),
    # Alembic finds a doubled branch label while iterating a set of revisions, hashed by their
    # addresses, so either revision may be «in» and the other «already used by» (lesson 05.2).
    (
        re.compile(r"(Branch name '[^']+' in revision )(\S+)( already used by revision )(\S+)"),
        lambda m: m[1] + min(m[2], m[4]) + m[3] + max(m[2], m[4]),
    ),
]
CDN_SCRIPT = re.compile(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>\s*', re.S)
MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
# nbconvert's loader: a module script that imports Mermaid from a CDN.
MERMAID_MODULE = re.compile(
    r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async'
    r'[^<]*?querySelectorAll\("\.jp-Mermaid > pre\.mermaid"\).*?</script>',
    re.S,
)
MERMAID_LOCAL = f"""<script src="{ASSET}"></script>
<script>
  document.addEventListener("DOMContentLoaded", async () => {{
    if (!window.mermaid) {{  // nbconvert's style hides a graph until it is drawn
      for (const box of document.querySelectorAll(".jp-Mermaid")) {{
        box.classList.add("jp-RenderedMermaid");
      }}
      return;  // …so without Mermaid its text stays readable
    }}
    mermaid.initialize({{startOnLoad: false, theme: "default", maxTextSize: 100000}});
    let n = 0;
    for (const source of document.querySelectorAll(".jp-Mermaid > pre.mermaid")) {{
      const box = source.parentNode;
      box.classList.add("jp-RenderedMermaid");
      try {{
        const {{svg}} = await mermaid.render(`graph-${{n++}}`, source.textContent.trim());
        const figure = document.createElement("figure");
        figure.innerHTML = svg;
        box.replaceChild(figure, source);
      }} catch (error) {{
        console.error(error);  // the text of the graph stays on the page
      }}
    }}
  }});
</script>"""
# nbconvert writes the graph's text into <pre class="mermaid"> without escaping its HTML labels
# (<b>, <br/>), so the browser would parse them as elements and Mermaid would get a broken
# graph: escape the text, the loader hands its textContent to mermaid.render.
MERMAID_PRE = re.compile(r'(<pre class="mermaid">)(.*?)(</pre>)', re.S)
NAV_STYLE = (
    "font-family:var(--jp-ui-font-family,sans-serif);padding:8px 16px;"
    "border-bottom:1px solid #d0d7de;background:#f6f8fa;display:flex;gap:1.5em"
)


def vendored_mermaid() -> Path:
    """mermaid.min.js from the npm registry, fetched once and kept in work/.cache/."""
    script = CACHE / f"mermaid-{MERMAID_VERSION}.min.js"
    if script.is_file():
        return script
    if not shutil.which("npm"):
        raise SystemExit("Для графов на сайте нужен npm (Node.js): apt-get install npm")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            ["npm", "pack", f"mermaid@{MERMAID_VERSION}", "--silent"],
            cwd=scratch,
            check=True,
            capture_output=True,
        )
        (tarball,) = Path(scratch).glob("mermaid-*.tgz")
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/dist/mermaid.min.js")
            script.write_bytes(member.read())
    return script


def fixed_layout_prefix() -> list[str]:
    """Python before 3.12 hashes None by its address, so Alembic's sets of (schema, table)
    pairs come out in a different order in every process (the «Detected removed table» lines
    of 12.1, the sequences of 14.3). With address randomisation off (setarch -R) the address,
    and the order, stay the same. 3.12+ hashes None to a constant and needs nothing."""
    if sys.version_info >= (3, 12):
        return []
    command = ["setarch", platform.machine(), "-R"]
    try:
        subprocess.run([*command, "true"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        print("Внимание: setarch -R недоступен — порядок строк журнала Alembic может меняться.")
        return []
    return command


class FixedLayoutKernelManager(KernelManager):
    prefix: ClassVar[list[str]] = []

    def format_kernel_cmd(self, extra_arguments=None):
        return [*self.prefix, *super().format_kernel_cmd(extra_arguments)]


def execute(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        kernel_manager_class=FixedLayoutKernelManager,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    ).execute()
    return notebook


def mask(notebook: nbformat.NotebookNode) -> None:
    """Apply MASKS to every output (never to the lesson's own text). Printed text arrives in
    as many stream messages as the kernel happened to flush: merge them first."""
    notebook, _ = CoalesceStreamsPreprocessor().preprocess(notebook, {})

    def clean(text: str) -> str:
        text = shorten_paths(text)  # the clone's path, and the folders of COURSE_MASK_PATHS
        for pattern, replacement in MASKS:
            text = pattern.sub(replacement, text)
        return text

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = clean(output["text"])
            for key, value in output.get("data", {}).items():
                if isinstance(value, str) and key.startswith("text/"):
                    output["data"][key] = clean(value)
            if "traceback" in output:
                output["traceback"] = [clean(line) for line in output["traceback"]]


def title_html(title: str) -> str:
    """A lesson title is markdown: `code` in it becomes <code>, the rest is escaped."""
    parts = html.escape(title).split("`")
    return "".join(f"<code>{part}</code>" if n % 2 else part for n, part in enumerate(parts))


def nav(previous: str | None, following: str | None, titles: dict[str, str]) -> str:
    links = ['<a href="index.html">↑ Все уроки</a>']
    if previous:
        links.append(f'<a href="{previous}.html">← {title_html(titles[previous])}</a>')
    if following:
        links.append(f'<a href="{following}.html">{title_html(titles[following])} →</a>')
    return f'<nav style="{NAV_STYLE}">{"".join(links)}</nav>'


def page(notebook, title: str, navigation: str) -> str:
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(notebook)
    body = MATHJAX_BLOCK.sub("", body)
    body = CDN_SCRIPT.sub("", body)
    body = MERMAID_MODULE.sub(lambda _: MERMAID_LOCAL, body)
    body = MERMAID_PRE.sub(
        lambda m: m[1] + html.escape(html.unescape(m[2]), quote=False) + m[3], body
    )
    plain = html.escape(title.replace("`", ""))
    body = re.sub(r"<title>.*?</title>", f"<title>{plain}</title>", body, flags=re.S)
    body = body.replace("<main>", f"{navigation}<main>", 1)
    return body.replace("</main>", f"</main>{navigation}", 1)


def index(lessons, built: str) -> str:
    rows = "".join(
        f"<tr><td><a href='{x.name}.html'>{title_html(x.title)}</a></td>"
        f"<td>{x.teaching}</td><td>{x.exercises}</td></tr>"
        for x in lessons
    )
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Alembic на практике</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}}
table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:left}}</style>
</head><body>
<h1>Alembic на практике</h1>
<p>Курс о миграциях баз данных с Alembic. Каждый урок выполнен целиком: под командами видно,
что напечатал Alembic и как изменилась схема базы («до → после»).</p>
<p><a href="instructor.html">Руководство инструктора и планы занятий</a> ·
<a href="instructor/index.html">Вид инструктора</a> (заметки, минуты, ответы — для второго
экрана или телефона) · <a href="instructor/cheatsheet.html">Шпаргалка инструктора</a></p>
<table><tr><th>урок</th><th>подача, мин</th><th>задания, мин</th></tr>{rows}</table>
<p style="color:#57606a">Собрано: {built}</p>
</body></html>
"""


def instructor_page() -> str:
    text = (ROOT / "INSTRUCTOR.md").read_text(encoding="utf-8")
    body = MarkdownIt("commonmark").enable("table").render(text)
    # The Binder badge is an image from the internet: offline, a plain link reads better.
    body = re.sub(r'<img src="https://mybinder.org/badge_logo.svg" alt="([^"]*)" ?/?>', r"\1", body)
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Руководство инструктора</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}}
table{{border-collapse:collapse}}td,th{{border:1px solid #d0d7de;padding:4px 8px;text-align:left}}
code{{background:#f6f8fa;padding:0 3px}}</style></head><body>
<p><a href="index.html">↑ Все уроки</a></p>{body}</body></html>
"""


def builder_folders() -> list[str]:
    """Folders of the machine that builds the site, outside the clone, that a page must not
    show (lessonkit masks them in what it prints, and mask() in every output): the embedded
    PostgreSQL's data (a socket path in a URL), the temp folder, the home folder. The longest
    first: the data folder may lie inside the temp folder."""
    folders = {str(data_root()), tempfile.gettempdir(), str(Path.home())}
    return sorted((f for f in folders if len(f) > 1), key=len, reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--only", nargs="*", help="just these lessons (a quick look)")
    parser.add_argument(
        "--instructor",
        action="store_true",
        help="only the presenter view and the cheat sheet (out/instructor/), nothing executed",
    )
    args = parser.parse_args()
    if args.instructor:
        pages = presenter.build(args.out / "instructor")
        print(f"Вид инструктора: {args.out / 'instructor'}/ — страниц {pages}")
        return 0
    os.environ["COURSE_REPRODUCIBLE"] = "1"  # inherited by the kernels the build starts
    # Alembic walks sets of table names (e.g. «Detected removed table» in 12.1): the order
    # follows string hashing, which Python randomises per process unless the seed is fixed.
    os.environ["PYTHONHASHSEED"] = "0"
    FixedLayoutKernelManager.prefix = fixed_layout_prefix()
    os.environ.pop("COURSE_DB", None)
    os.environ[ENV_MASK] = os.pathsep.join(builder_folders())
    mermaid = vendored_mermaid()
    lessons = [x for x in lesson_timings() if not args.only or x.name in args.only]
    titles = {x.name: x.title for x in lessons}
    paths = [NOTEBOOKS / f"{x.name}.ipynb" for x in lessons]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        executed = list(pool.map(execute, paths))
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    (out / "assets").mkdir(parents=True)
    shutil.copy(mermaid, out / ASSET)
    names = [x.name for x in lessons]
    for number, (name, notebook) in enumerate(zip(names, executed, strict=True)):
        mask(notebook)
        previous = names[number - 1] if number else None
        following = names[number + 1] if number + 1 < len(names) else None
        (out / f"{name}.html").write_text(
            page(notebook, titles[name], nav(previous, following, titles)), encoding="utf-8"
        )
    built = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    (out / "index.html").write_text(index(lessons, built), encoding="utf-8")
    (out / "instructor.html").write_text(instructor_page(), encoding="utf-8")
    presenter.build(out / "instructor")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"Сайт: {out}/ — страниц уроков {len(names)}, {size / 1e6:.1f} МБ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
