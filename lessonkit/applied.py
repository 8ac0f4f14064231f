"""Which revision files this kernel has applied, and whether they were edited since.

Alembic records only a revision's id in alembic_version; it never re-runs an applied revision
and never compares its file. A learner who edits an applied migration and runs
``upgrade head`` again sees "nothing changed" and no reason. The course remembers a
fingerprint of each file when %alembic applies it, so it can say why.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory

from lessonkit.alembic_cli import CommandResult

RAN_UPGRADE = re.compile(r"Running upgrade .*?-> (\S+?),")
RAN_DOWNGRADE = re.compile(r"Running downgrade (\S+?) ->")


@dataclass(frozen=True)
class EditedRevision:
    revision: str
    path: Path
    downgrade_to: str  # the target that rolls back just this revision


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class AppliedFiles:
    fingerprints: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def record(self, result: CommandResult, script: ScriptDirectory) -> None:
        """Remember the files of the revisions the command applied; forget rolled back ones."""
        for revision in RAN_DOWNGRADE.findall(result.output):
            self.fingerprints.pop(revision, None)
        for revision in RAN_UPGRADE.findall(result.output):
            found = script.get_revision(revision)
            if found is not None and found.path:
                path = Path(found.path)
                self.fingerprints[revision] = (path, _fingerprint(path))

    def edited(self, script: ScriptDirectory, current: tuple[str, ...]) -> list[EditedRevision]:
        """Applied revisions (still in alembic_version's history) whose file changed since."""
        applied = {rev.revision for rev in script.iterate_revisions(current, "base")}
        out = []
        for revision, (path, fingerprint) in self.fingerprints.items():
            if revision not in applied or not path.is_file() or _fingerprint(path) == fingerprint:
                continue
            down = script.get_revision(revision).down_revision
            # A merge has several parents: Alembic's relative form names the step back.
            target = f"{revision}-1" if isinstance(down, tuple) else down or "base"
            out.append(EditedRevision(revision, path, target))
        return out

    @staticmethod
    def ran_migrations(result: CommandResult) -> bool:
        return bool(RAN_UPGRADE.search(result.output) or RAN_DOWNGRADE.search(result.output))
