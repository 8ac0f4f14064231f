"""Make the active environment (sys.prefix) a course environment.

* every kernel of the environment finds its course from where it starts: the locator module
  (jupyter/alembic_course_locator.py, copied into site-packages and named as the kernel
  extension) walks up from the notebook's folder to the clone that holds lessonkit/, puts that
  clone first on sys.path and loads its lessonkit — so %alembic answers in Russian even in a
  kernel where the lesson's first cell has not run yet, and one environment serves any number of
  clones (a class server: each learner's own copy in their home);
* JupyterLab in Russian: overrides.json selects the ru_RU language pack;
* kernels run in Python's UTF-8 mode (PYTHONUTF8=1 in the kernelspec): on a Russian Windows
  the system code page is CP1251, and `!alembic` output would otherwise be decoded with it;
* for one clone (`make`, conda, Binder) also a .pth file with the clone's path: the tools, the
  tests and `python -c "import lessonkit"` anywhere then find this clone. An environment shared
  by many clones (a hub image) is installed with --shared and gets no .pth: each kernel finds
  its own clone, and nothing points at the copy the image was built from;
* --shared (a class server, Linux) also gives the Jupyter servers of the environment kernels on
  Unix sockets in each learner's runtime folder instead of TCP ports on 127.0.0.1: with a class
  starting its kernels at once, two servers picked the same free port and a kernel died after
  five restarts («Address already in use», measured with 8 learners); and a socket in a 0700
  home is reachable by its owner only.

Run by `make` after installing the lock; conda / Binder users run it once themselves
(Binder does it through postBuild); a hub image runs it with --shared.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "jupyter"
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
TARGETS = {
    "overrides.json": Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings",
    "ipython_kernel_config.py": Path(sys.prefix) / "etc" / "ipython",
    "alembic_course_locator.py": SITE_PACKAGES,
}
PTH = SITE_PACKAGES / "alembic_na_praktike.pth"
# The server's own config file of the environment: its .d folder is read for extensions only.
CLASS_SERVER = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.json"
KERNEL_SPEC = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"


def kernel_in_utf8_mode() -> None:
    spec = json.loads(KERNEL_SPEC.read_text(encoding="utf-8"))
    spec["env"] = {**spec.get("env", {}), "PYTHONUTF8": "1"}
    KERNEL_SPEC.write_text(json.dumps(spec, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"PYTHONUTF8=1 -> {KERNEL_SPEC}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        action="store_true",
        help="an environment for many clones (a hub image): no .pth with this clone's path",
    )
    shared = parser.parse_args(argv).shared
    for name, folder in TARGETS.items():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(SOURCE / name, folder / name)
        print(f"{name} -> {folder}")
    if shared:
        PTH.unlink(missing_ok=True)
        print(f"--shared: no .pth (kernels find their clone themselves): {PTH}")
        CLASS_SERVER.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SOURCE / "class_server_config.json", CLASS_SERVER)
        print(f"--shared: kernels on Unix sockets -> {CLASS_SERVER}")
    else:
        PTH.write_text(f"{ROOT}\n", encoding="utf-8")
        print(f"{ROOT} -> {PTH}")
    kernel_in_utf8_mode()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
