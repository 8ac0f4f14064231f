"""The course PostgreSQL server from a terminal.

python -m lessonkit.pgctl start   # start it (if needed), keep it running, print its URL
python -m lessonkit.pgctl url     # the same: print the URL of the server
python -m lessonkit.pgctl stop    # stop the embedded server (make db-stop)
"""

from __future__ import annotations

import sys

from lessonkit.postgres import admin_url, render_url, stop_embedded


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "url"
    if command in ("start", "url"):
        print(render_url(admin_url(keep_running=True)))
        return 0
    if command == "stop":
        stopped = stop_embedded()
        print("PostgreSQL курса остановлен." if stopped else "PostgreSQL курса не запущен.")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
