"""lessonkit — the toolkit the lessons of «Alembic на практике» import.

from lessonkit import start_lesson, check, edit_file, show_file, show_revision, show_tree
from lessonkit import progress   # the learner's table: lessons × exercises, time per lesson

The parts (one folder each; README «Устройство lessonkit» draws the map):
core/ paths, errors, message boxes · cli/ the Alembic command line in the kernel ·
databases/ backends, the embedded server, schema snapshots · lesson/ a lesson's life ·
view/ what the learner sees · checks/ exercise checks · kernel/ the magics · demos/ helpers
of single lessons.
"""

from __future__ import annotations

from lessonkit import checks as check
from lessonkit.core.errors import CourseError
from lessonkit.core.portable import encoding_warnings_for_course_code_only
from lessonkit.databases.schema import diff_schemas
from lessonkit.kernel.extension import load_ipython_extension, register_magics
from lessonkit.lesson.edit import edit_file
from lessonkit.lesson.project import set_ini_option
from lessonkit.lesson.sandbox import start_lesson
from lessonkit.lesson.scripts import revision_path
from lessonkit.lesson.state import Lesson, active_lesson
from lessonkit.view.display import show_file, show_revision, show_tree
from lessonkit.view.graph import show_graph
from lessonkit.view.progress import progress

encoding_warnings_for_course_code_only()

__all__ = [
    "CourseError",
    "Lesson",
    "active_lesson",
    "check",
    "diff_schemas",
    "edit_file",
    "load_ipython_extension",
    "progress",
    "revision_path",
    "set_ini_option",
    "show_file",
    "show_graph",
    "show_revision",
    "show_tree",
    "start_lesson",
]

# Importing lessonkit in a notebook makes %alembic available right away.
register_magics()
