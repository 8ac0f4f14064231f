"""Install the course's Jupyter settings into the active environment (sys.prefix).

* JupyterLab in Russian: overrides.json selects the ru_RU language pack;
* every kernel of the environment loads lessonkit, so %alembic answers in Russian even in a
  kernel where the lesson's first cell has not run yet.

Run by `make` after installing the lock; conda / Binder users run it once themselves
(Binder does it through postBuild).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "jupyter"
TARGETS = {
    "overrides.json": Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings",
    "ipython_kernel_config.py": Path(sys.prefix) / "etc" / "ipython",
}

if __name__ == "__main__":
    for name, folder in TARGETS.items():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(SOURCE / name, folder / name)
        print(f"{name} -> {folder}")
