"""Which revision files this kernel has applied, and whether they were edited since.

Alembic records only a revision's id in alembic_version; it never re-runs an applied revision
and never compares its file. A learner who edits an applied migration and runs
``upgrade head`` again sees "nothing changed" and no reason. The course remembers each file's
content when %alembic applies it, so it can say why.

Files are found by the ``revision = "..."`` line every revision script has (the line Alembic
writes); reading them costs a millisecond, where building Alembic's revision map would import
every script again after each command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lessonkit.cli.command import CommandResult

# «Running upgrade 001 -> 002, message»; without a docstring there is no «, message».
RAN_UPGRADE = re.compile(r"Running upgrade .*?-> ([^\s,]+)")
RAN_DOWNGRADE = re.compile(r"Running downgrade ([^\s,]+) ->")
REVISION_LINE = re.compile(r"""^revision(?:\s*:\s*str)?\s*=\s*['"]([^'"]+)['"]""", re.M)


@dataclass(frozen=True)
class EditedRevision:
    revision: str
    path: Path


def revision_files(sandbox: Path) -> dict[str, Path]:
    """Revision id → its script, for every script under the sandbox's folders."""
    found = {}
    for path in sandbox.rglob("*.py"):
        match = REVISION_LINE.search(path.read_text(errors="replace", encoding="utf-8"))
        if match:
            found[match.group(1)] = path
    return found


@dataclass
class AppliedFiles:
    contents: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def record(self, result: CommandResult, sandbox: Path) -> None:
        """Remember the files of the revisions the command applied; forget rolled back ones."""
        for revision in RAN_DOWNGRADE.findall(result.output):
            self.contents.pop(revision, None)
        ran = RAN_UPGRADE.findall(result.output)
        if ran:
            files = revision_files(sandbox)
            for revision in ran:
                if revision in files:
                    path = files[revision]
                    self.contents[revision] = (
                        path,
                        path.read_text(errors="replace", encoding="utf-8"),
                    )

    def copy(self) -> AppliedFiles:
        return AppliedFiles(dict(self.contents))

    def edited(self) -> list[EditedRevision]:
        """Applied revisions (not rolled back since) whose file changed after they ran."""
        return [
            EditedRevision(revision, path)
            for revision, (path, text) in self.contents.items()
            if path.is_file() and path.read_text(errors="replace", encoding="utf-8") != text
        ]

    @staticmethod
    def ran_migrations(result: CommandResult) -> bool:
        return bool(RAN_UPGRADE.search(result.output) or RAN_DOWNGRADE.search(result.output))
