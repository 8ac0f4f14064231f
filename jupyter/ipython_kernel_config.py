# Installed by `make` into .venv/etc/ipython/: every kernel of the course venv loads
# lessonkit, so %alembic answers in Russian even before the lesson's first cell ran.
c = get_config()  # noqa: F821 — provided by IPython when it reads this file
c.InteractiveShellApp.extensions = ["lessonkit"]
