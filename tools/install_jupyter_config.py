"""Make the active environment (sys.prefix) a course environment.

* the repository on sys.path (a .pth file): kernels and tests import lessonkit and app from
  the working tree, without building a package (what `pip install -e .` would do, minus the
  build backend's download and build);
* JupyterLab in Russian: overrides.json selects the ru_RU language pack;
* every kernel of the environment loads lessonkit, so %alembic answers in Russian even in a
  kernel where the lesson's first cell has not run yet;
* kernels run in Python's UTF-8 mode (PYTHONUTF8=1 in the kernelspec): on a Russian Windows
  the system code page is CP1251, and `!alembic` output would otherwise be decoded with it.

Run by `make` after installing the lock; conda / Binder users run it once themselves
(Binder does it through postBuild).
"""

from __future__ import annotations

import json
import shutil
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "jupyter"
TARGETS = {
    "overrides.json": Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings",
    "ipython_kernel_config.py": Path(sys.prefix) / "etc" / "ipython",
}
PTH = Path(sysconfig.get_paths()["purelib"]) / "alembic_na_praktike.pth"
KERNEL_SPEC = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"


def kernel_in_utf8_mode() -> None:
    spec = json.loads(KERNEL_SPEC.read_text(encoding="utf-8"))
    spec["env"] = {**spec.get("env", {}), "PYTHONUTF8": "1"}
    KERNEL_SPEC.write_text(json.dumps(spec, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"PYTHONUTF8=1 -> {KERNEL_SPEC}")


if __name__ == "__main__":
    for name, folder in TARGETS.items():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(SOURCE / name, folder / name)
        print(f"{name} -> {folder}")
    PTH.write_text(f"{ROOT}\n", encoding="utf-8")
    print(f"{ROOT} -> {PTH}")
    kernel_in_utf8_mode()
