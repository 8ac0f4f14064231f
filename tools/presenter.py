"""The presenter view: the instructor's edition of the site, for a second screen or a phone,
while the projector shows the learners' notebooks.

    python tools/build_site.py --instructor   # only this part: site/instructor/, in seconds

Per lesson: the minutes, the first cell with `upto=` and every heading it accepts (the lesson's
own sections, lessonkit.lesson.replay.sections), the outline with the instructor notes in full,
and the expected answers (the collapsed solutions, shown open). Also the printable one-page
cheat sheet (INSTRUCTOR-CHEATSHEET.md). Built from lessons_src/ and notebooks/ alone: no lesson
is executed, so nothing of the builder's machine can get in.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

from lessonkit.lesson.replay import sections  # noqa: E402
from tools.build_notebooks import split_at_headings  # noqa: E402
from tools.lesson_info import Lesson, lessons  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
CHEATSHEET = ROOT / "INSTRUCTOR-CHEATSHEET.md"
HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*$", re.M)
START_LESSON = re.compile(r"^\w+\s*=\s*start_lesson\([^()]*\)", re.M)
MARKDOWN = MarkdownIt("commonmark").enable("table")

STYLE = """
:root{--ink:#1f2328;--muted:#57606a;--note:#8250df;--line:#d0d7de}
*{box-sizing:border-box}
body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
  max-width:46em;margin:0 auto;padding:12px 16px 48px}
nav{display:flex;flex-wrap:wrap;gap:.4em 1.2em;font-size:15px;padding:6px 0;
  border-bottom:1px solid var(--line)}
a{color:#0969da}
h1{font-size:1.5em;margin:.6em 0 .2em}h2{font-size:1.25em;margin:1.4em 0 .3em}
h3{font-size:1.05em;margin:1em 0 .2em}
.timing{font-size:1.05em;color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;
  background:#f6f8fa;padding:0 3px;border-radius:3px}
p code,li code{overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:8px 10px;border-radius:6px;overflow-x:auto;font-size:13px}
pre code{background:none;padding:0}
pre.wrap{white-space:pre-wrap}
.note{border-left:5px solid var(--note);background:#f6f0ff;padding:2px 12px;margin:8px 0;
  border-radius:0 6px 6px 0}
.answer{border-left:5px solid #1a7f37;background:#f0fff4;padding:2px 12px;margin:8px 0;
  border-radius:0 6px 6px 0}
.upto{display:inline-block;font-size:13px;color:var(--muted);margin-left:.4em}
.cells{font-size:14px;color:var(--muted)}
ul.sections{padding-left:1.2em}ul.sections li{margin:.15em 0}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
details>summary{cursor:pointer;color:var(--muted)}
"""


def page(title: str, body: str, style: str = STYLE) -> str:
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{style}</style></head>
<body>{body}</body></html>
"""


def inline(text: str) -> str:
    """A title in markdown: `code` becomes <code>, the rest is escaped."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if n % 2 else part for n, part in enumerate(parts))


def anchor(title: str) -> str:
    return "s-" + re.sub(r"[^0-9a-zа-яё]+", "-", title.replace("`", "").casefold()).strip("-")


def opened(solution: str) -> str:
    """A collapsed solution of the lesson, shown open: the presenter reads the answer."""
    return solution.replace("<details>", "<details open>", 1)


def lesson_body(lesson: Lesson, previous: Lesson | None, following: Lesson | None) -> str:
    learner = nbformat.read(NOTEBOOKS / f"{lesson.name}.ipynb", as_version=4)
    upto = [s.title for s in sections(learner)]
    first = next(c.source for c in learner.cells if c.cell_type == "code")
    call = START_LESSON.search(first)
    example = call.group(0) if call else first
    if call and upto:  # the line an instructor edits: upto= added to the lesson's own call
        example = f'{call.group(0)[:-1]}, upto="{upto[-1]}")'

    links = ['<a href="index.html">↑ Все уроки</a>', '<a href="cheatsheet.html">Шпаргалка</a>']
    if previous:
        links.append(f'<a href="{previous.name}.html">← {previous.number}</a>')
    if following:
        links.append(f'<a href="{following.name}.html">{following.number} →</a>')
    out = [f"<nav>{''.join(links)}</nav>", f"<h1>{inline(lesson.title)}</h1>"]
    out.append(
        f'<p class="timing">⏱ Подача — {lesson.teaching} мин, задания — {lesson.exercises} мин '
        f"(всего {lesson.minutes})</p>"
    )
    out.append("<h2>Переход к разделу: <code>upto=</code></h2>")
    out.append(
        "<p>В первой ячейке урока допишите <code>upto=</code> с названием раздела из списка — "
        "курс тихо выполнит ячейки до него:</p>"
    )
    out.append(f'<pre class="wrap"><code>{html.escape(example)}</code></pre>')
    items = "".join(f'<li><a href="#{anchor(title)}">{inline(title)}</a></li>' for title in upto)
    out.append(f'<ul class="sections">{items}</ul>')
    out.append("<h2>Ход урока: заметки и ответы</h2>")
    out += outline(lesson, set(upto))
    return "\n".join(out)


def outline(lesson: Lesson, upto: set[str]) -> list[str]:
    """The lesson's headings in order, each with the number of its code cells, the instructor
    notes in full and the solutions open; the lesson's prose stays on the projector."""
    parts: list[tuple[str, int, list[str]]] = [("", 0, [])]  # (heading html, code cells, body)
    for cell in split_at_headings(lesson.notebook.cells):
        tags = set(cell.metadata.get("tags", []))
        heading, cells, body = parts[-1]
        if cell.cell_type == "code":
            parts[-1] = (heading, cells + 1, body)
        elif "instructor" in tags:
            body.append(f'<div class="note">{MARKDOWN.render(cell.source)}</div>')
        elif "solution" in tags:
            body.append(f'<div class="answer">{MARKDOWN.render(opened(cell.source))}</div>')
        else:
            for level, title in HEADING.findall(cell.source):
                if len(level) < 2:
                    continue
                tag = "h2" if len(level) == 2 else "h3"
                mark = f'<span class="upto">upto="{inline(title)}"</span>' if title in upto else ""
                parts.append((f'<{tag} id="{anchor(title)}">{inline(title)}{mark}</{tag}>', 0, []))
    out = []
    for heading, cells, body in parts:
        out.append(heading)
        if cells:
            out.append(f'<p class="cells">ячеек кода: {cells}</p>')
        out += body
    return out


def index_body(all_lessons: list[Lesson]) -> str:
    rows = "".join(
        f'<tr><td><a href="{x.name}.html">{inline(x.title)}</a></td>'
        f"<td>{x.teaching}</td><td>{x.exercises}</td><td>{len(x.notes)}</td></tr>"
        for x in all_lessons
    )
    return f"""<nav><a href="../index.html">↑ Сайт курса</a>
<a href="../instructor.html">Руководство и планы занятий</a>
<a href="cheatsheet.html">Шпаргалка (печать)</a></nav>
<h1>Вид инструктора</h1>
<p>Для второго экрана или телефона: на проекторе — ноутбуки учащихся, здесь — заметки
инструктора, минуты, разделы для <code>upto=</code> и ответы заданий.</p>
<table><tr><th>урок</th><th>подача</th><th>задания</th><th>заметок</th></tr>{rows}</table>"""


PRINT_STYLE = """
@page{size:A4;margin:10mm 12mm}
*{box-sizing:border-box}
body{font:10pt/1.32 system-ui,"Segoe UI",Roboto,sans-serif;color:#1f2328;max-width:186mm;
  margin:0 auto}
h1{font-size:14pt;margin:0 0 3pt}h2{font-size:10.5pt;margin:6pt 0 2pt;break-after:avoid}
p,ul{margin:2pt 0}ul{padding-left:12pt}li{margin:0}
code{font-family:ui-monospace,Menlo,monospace;font-size:8.6pt;background:#f6f8fa;padding:0 2px}
pre{font-size:8.4pt;background:#f6f8fa;padding:3pt 5pt;margin:2pt 0;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;margin:2pt 0}
td,th{border-bottom:1px solid #d0d7de;padding:1.5pt 4pt;text-align:left;vertical-align:top}
td:first-child code{white-space:nowrap}
.columns{column-count:2;column-gap:7mm}
.columns>*{break-inside:avoid}
nav{font-size:9pt;margin-bottom:4pt}
@media print{nav{display:none}}
"""


def cheatsheet_html() -> str:
    """INSTRUCTOR-CHEATSHEET.md on one A4 page: its `---` line ends the full-width header; the
    rest flows in two columns."""
    text = CHEATSHEET.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n---\n")
    body = (
        '<nav><a href="index.html">↑ Вид инструктора</a></nav>'
        + MARKDOWN.render(head)
        + f'<div class="columns">{MARKDOWN.render(rest)}</div>'
    )
    return page("Шпаргалка инструктора", body, PRINT_STYLE)


def build(out: Path) -> int:
    """Write the presenter view into ``out`` (site/instructor/); return the number of pages."""
    out.mkdir(parents=True, exist_ok=True)
    all_lessons = lessons()
    for number, lesson in enumerate(all_lessons):
        previous = all_lessons[number - 1] if number else None
        following = all_lessons[number + 1] if number + 1 < len(all_lessons) else None
        body = lesson_body(lesson, previous, following)
        (out / f"{lesson.name}.html").write_text(page(lesson.title, body), encoding="utf-8")
    (out / "index.html").write_text(
        page("Вид инструктора", index_body(all_lessons)), encoding="utf-8"
    )
    (out / "cheatsheet.html").write_text(cheatsheet_html(), encoding="utf-8")
    return len(all_lessons) + 2
