"""Checks speak Russian, warnings included.

A check reads the sandbox with Alembic and runs migrations on a copy of the database; on the
way a library may warn, in English, on stderr, between the cell and its verdict
(«UserWarning: Revision 003_add_comments is present more than once»). ``in_russian`` wraps a
check: the warnings it raises are caught; one a learner can act on is said again in Russian,
in a box above the verdict, and the ones that say nothing to a learner (deprecations,
resource bookkeeping) are dropped.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable

from IPython.display import display

from lessonkit.core.markup import MessageBox

# Warnings about the libraries themselves, not about the learner's files or database.
SILENT = (DeprecationWarning, PendingDeprecationWarning, ResourceWarning, ImportWarning)

# (pattern in the warning's message, what it means in Russian); the first match wins.
SAID_IN_RUSSIAN: list[tuple[str, Callable[[re.Match], str]]] = [
    (
        r"Revision (\S+) is present more than once",
        lambda m: (
            f"ревизия {m.group(1)} записана в двух файлах (в обоих `revision = "
            f"'{m.group(1)}'`): Alembic видит только один из них. У каждого файла ревизии "
            "должен быть свой номер."
        ),
    ),
]


def russian(message: warnings.WarningMessage) -> str | None:
    """The warning in Russian; None for one that says nothing to a learner."""
    if issubclass(message.category, SILENT):
        return None
    text = str(message.message)
    for pattern, said in SAID_IN_RUSSIAN:
        match = re.search(pattern, text)
        if match:
            return said(match)
    first_line = text.strip().splitlines()[0] if text.strip() else message.category.__name__
    return f"библиотека предупредила во время проверки: `{first_line}`."


def in_russian(check: Callable) -> Callable:
    @functools.wraps(check)
    def quiet_check(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            verdict = check(*args, **kwargs)
        said = dict.fromkeys(filter(None, map(russian, caught)))  # each once, in order
        for text in said:
            display(MessageBox("warning", f"⚠️ {text}", []))
        return verdict

    return quiet_check
