"""The course PostgreSQL server from a terminal.

python -m lessonkit.databases.pgctl start            # start if needed, keep running, print URL
python -m lessonkit.databases.pgctl start reference  # ...and make sure database «reference» exists
python -m lessonkit.databases.pgctl stop             # stop the embedded server (make db-stop)
"""

from __future__ import annotations

import sys

from lessonkit.core.errors import CourseError
from lessonkit.databases.backends.postgres import recreate_database
from lessonkit.databases.pg_server import admin_url, render_url, stop_embedded


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
    print(__doc__)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except CourseError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        sys.exit(1)
