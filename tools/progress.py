"""Progress tables in a terminal (course.py progress / class-progress).

    python course.py progress                      # this copy's learner: lessons × exercises
    python course.py class-progress                # a class server: learners × lessons
    python course.py class-progress --homes /home --course alembic-na-praktike

class-progress reads <homes>/<user>/<course>/work/progress.jsonl of every user: run it as an
account that may read the learners' homes (on a class server: `sudo`). It only reads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from IPython.lib.pretty import pretty

from lessonkit.view.progress import class_table, find_learners, progress

DEFAULT_COURSE = "alembic-na-praktike"  # the folder the class link pulls the course into


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="course.py class-progress", description=__doc__)
    parser.add_argument("what", choices=("progress", "class-progress"))
    parser.add_argument("--homes", type=Path, default=Path("/home"), help="где домашние папки")
    parser.add_argument("--course", default=DEFAULT_COURSE, help="папка курса в каждой из них")
    parser.add_argument("--work", type=Path, help="progress: другая папка work/")
    options = parser.parse_args(argv)
    if options.what == "progress":
        print(pretty(progress(options.work)))
        return 0
    try:
        learners, unreadable = find_learners(options.homes, options.course)
    except FileNotFoundError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    if not learners:
        print(
            f"В {options.homes}/*/{options.course} нет ни одной копии курса. Укажите, где "
            "домашние папки (--homes) и как называется папка курса в них (--course).",
            file=sys.stderr,
        )
    else:
        print(pretty(class_table(learners)))
    if unreadable:
        print(
            f"\nНе прочитаны ({len(unreadable)}): {', '.join(unreadable)} — нет прав на чтение; "
            "запустите команду от имени администратора (sudo).",
            file=sys.stderr,
        )
    return 0 if learners and not unreadable else 1


if __name__ == "__main__":
    for stream in (sys.stdout, sys.stderr):  # a CP1251 console cannot encode ✅
        stream.reconfigure(errors="replace")
    sys.exit(main(sys.argv[1:]))
