"""A lesson notebook run top to bottom in a kernel of the test's own making.

The portability tests start a kernel as a learner's machine would: another locale, no UTF-8
mode, another folder, PostgreSQL over TCP. The course's kernelspec sets PYTHONUTF8=1, so these
kernels come from a kernelspec of their own (this interpreter, no environment of its own), and
the kernel's environment is exactly the one the test gives. The lesson runs under another name,
so its sandbox never meets the notebook tests' sandbox of the same lesson.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.notebook_runner import errors_of, text_of

KERNEL = "course-portability"


def renamed(notebook, lesson: str, name: str):
    """The notebook with start_lesson("<lesson>") calling another sandbox, ``name``."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace(f'"{lesson}"', f'"{name}"')
    return notebook


def run_lesson(path: Path, *, name: str, first: str = "", **kernel):
    """Run the lesson at ``path`` as ``name`` (see run_notebook for ``kernel``). ``first``: code
    run before the lesson's cells, in the same kernel. Returns the executed notebook.

    Its check cells are left out: check.exercise compares with the solution in
    notebooks/<lesson>.ipynb, which a lesson run under another name does not have (the
    notebook tests run every check under the lesson's own name)."""
    notebook = renamed(nbformat.read(path, as_version=4), path.stem, name)
    if name != path.stem:
        notebook.cells = [
            cell for cell in notebook.cells if "check" not in cell.metadata.get("tags", [])
        ]
    if first:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(first))
    return run_notebook(notebook, **kernel)


def run_notebook(notebook, *, env: dict[str, str], cwd: Path, specs: Path, timeout: int = 300):
    """Run ``notebook`` in a new kernel of this interpreter with exactly the environment ``env``,
    started in ``cwd`` (``specs``: a folder for its kernelspec). Stops at an error, except in
    cells tagged raises-exception; returns the notebook with its outputs."""
    spec = specs / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": KERNEL, "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    manager = AsyncKernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)])
    )
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=timeout,
        startup_timeout=180,  # a loaded machine: a kernel may take more than the default 60 s
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(env=env)
    except CellExecutionError:  # what the course showed (its message box) says why
        failed = next(c for c in reversed(notebook.cells) if errors_of(c))
        raise AssertionError(f"{failed.source}\n---\n{text_of(failed)}") from None
    finally:  # a manager handed in is not shut down by nbclient: its kernel would outlive us
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)()
    return notebook
