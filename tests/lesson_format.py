"""What a lesson may weigh, measured the same way by the tests and by `make stats`."""

from __future__ import annotations

import re

MAX_CODE_CELLS = 40
MAX_WORDS = 1500
MAX_PARAGRAPH_WORDS = 90  # "about 80": a long list item or a table row is not a paragraph
MIN_EXERCISES = 3
NOT_PROSE = {"solution", "instructor"}  # collapsed solutions and instructor notes

WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё_]+(?:[-'][0-9A-Za-zА-Яа-яЁё_]+)*")


def prose(source: str) -> str:
    """A markdown cell without code blocks, HTML tags and link targets."""
    text = re.sub(r"```.*?```", " ", source, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return text


def words(text: str) -> int:
    return len(WORD.findall(text))


def prose_cells(notebook) -> list:
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "markdown" and not NOT_PROSE & set(cell.metadata.get("tags", []))
    ]


def prose_words(notebook) -> int:
    return sum(words(prose(cell.source)) for cell in prose_cells(notebook))


def long_paragraphs(notebook) -> list[str]:
    """Plain paragraphs (not lists, tables, quotes or headings) over the limit."""
    found = []
    for cell in prose_cells(notebook):
        for paragraph in re.split(r"\n\s*\n", prose(cell.source)):
            first = paragraph.lstrip()
            if first.startswith(("-", "*", "|", ">", "#", "1.", "2.", "3.")):
                continue
            if words(paragraph) > MAX_PARAGRAPH_WORDS:
                found.append(paragraph.strip()[:80] + "…")
    return found


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


# The course's Russian (README, «Для авторов»): these forms are not used.
STYLE = {
    r"спойлер": "«забегая вперёд»",
    r"\bдифф": "«сравнение „до → после“» или «схема „до → после“»",
    r"продакш": "«боевая база»",
    r"подним\w+ исключени": "«выбрасывает исключение»",
    r"[Уу]рок про то": "«Урок о том»",
    r"\bголы[йм]\w*": "без «голый»",
    r"\bсегодня\b": "без «сегодня» в смысле «в текущей версии»",
    r"оффлайн": "«офлайн»",
    r"\bне применённ\w+": "«неприменённые» — одним словом",
    r"баз\w* на `?base": "«в базе нет ни одной применённой ревизии»",
    r"там, где её оставили": "точнее: на какой ревизии база",
    # Recurring slips found by two native reviews (issue 16).
    r"Теперь правда": "«Проверим:», «Что происходит на самом деле:»",
    r"\bпада\w*|\bупад[ёе]\w*|\bупал[аио]?\b": "«завершается с ошибкой», «не проходит»",
    r"баз\w* на голов": "«база на последней ревизии (head)»",
    r"\bпро\b": "«о», «об»",
    r"CI красн": "«проверка в CI не проходит»",
    r"\bрукам\w*": "«вручную»",
    r"[Мм]усор убира": "«Уберём лишнее»",
}


def style_problems(text: str) -> list[str]:
    found = []
    for pattern, instead in STYLE.items():
        for match in re.finditer(pattern, text, flags=re.I):
            found.append(f"«{match.group(0)}» → {instead}")
    return found
