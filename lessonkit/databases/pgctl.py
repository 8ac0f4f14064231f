"""The course PostgreSQL server from a terminal (course.py db-start / db-stop / db-reset).

python -m lessonkit.databases.pgctl start            # start if needed, keep running, print URL
python -m lessonkit.databases.pgctl start reference  # ...and make sure database «reference» exists
python -m lessonkit.databases.pgctl stop             # stop the embedded server
python -m lessonkit.databases.pgctl reset            # delete this clone's server data
python -m lessonkit.databases.pgctl where            # the data folder
"""

from __future__ import annotations

import sys

from lessonkit.core.errors import CourseError
from lessonkit.core.portable import remove_tree
from lessonkit.databases.backends.postgres import recreate_database
from lessonkit.databases.pg_server import admin_url, pgdata_dir, render_url, stop_embedded


def main(argv: list[str]) -> int:
    command, names = (argv[0], argv[1:]) if argv else ("start", [])
    if command == "start":
        url = admin_url(keep_running=True)
        for name in names:
            recreate_database(url, name, keep_existing=True)
            url = url.set(database=name)
        print(render_url(url))
        return 0
    if command == "stop":
        stopped = stop_embedded()
        print("PostgreSQL курса остановлен." if stopped else "PostgreSQL курса не запущен.")
        return 0
    if command == "reset":
        stop_embedded()
        remove_tree(pgdata_dir())
        print(f"Данные встроенного PostgreSQL удалены: {pgdata_dir()}")
        return 0
    if command == "where":
        print(pgdata_dir())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    for stream in (sys.stdout, sys.stderr):  # a CP1251 console cannot encode every character
        stream.reconfigure(errors="replace")
    try:
        sys.exit(main(sys.argv[1:]))
    except CourseError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        sys.exit(1)
