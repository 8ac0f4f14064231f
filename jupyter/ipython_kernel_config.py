# Installed by tools/install_jupyter_config.py into <environment>/etc/ipython/: every kernel of
# the environment finds the course it was started in (the clone above the notebook's folder) and
# loads that clone's lessonkit, so %alembic answers in Russian even before the lesson's first
# cell ran. One environment can serve many clones (a class server): see alembic_course_locator.
c = get_config()  # noqa: F821 — provided by IPython when it reads this file
c.InteractiveShellApp.extensions = ["alembic_course_locator"]
