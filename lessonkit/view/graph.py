"""The revision graph of the sandbox and where the database is on it.

``show_graph()`` reads the graph through Alembic's own ScriptDirectory (the same map every
Alembic command builds) and the rows of ``alembic_version``. JupyterLab (≥ 4.1) draws the
``text/vnd.mermaid`` output as a picture; a static export and the tests read the
``text/plain`` form, drawn like ``git log --graph``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from alembic.script import ScriptDirectory
from IPython.display import display
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.core.errors import CourseError
from lessonkit.lesson.scripts import sandbox_script
from lessonkit.lesson.state import active_lesson

BASE = "base"
HERE = "◀ база здесь"


@dataclass(frozen=True)
class Node:
    revision: str
    message: str
    parents: tuple[str, ...]  # down_revision as a tuple; () for the first revision of a branch
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    head: bool = False

    @property
    def merge(self) -> bool:
        return len(self.parents) > 1


@dataclass
class RevisionGraph:
    nodes: list[Node]  # children before parents, as `alembic history` lists them
    current: tuple[str, ...]  # rows of alembic_version; () means the database is on base

    def __post_init__(self) -> None:
        self.nodes = _children_first(self.nodes)
        self._by_id = {node.revision: node for node in self.nodes}
        self.children: dict[str, int] = {}
        for node in self.nodes:
            for parent in node.parents or (BASE,):
                self.children[parent] = self.children.get(parent, 0) + 1

    @property
    def missing(self) -> list[str]:
        """Revisions the database is on whose scripts are not in versions/ (another branch)."""
        return [rev for rev in self.current if rev not in self._by_id]

    def applied(self) -> set[str]:
        """What the database has: its revisions and all their ancestors (depends_on too)."""
        seen: set[str] = set()
        todo = [rev for rev in self.current if rev in self._by_id]
        while todo:
            rev = todo.pop()
            if rev not in seen:
                seen.add(rev)
                node = self._by_id[rev]
                todo.extend(p for p in (*node.parents, *node.depends_on) if p in self._by_id)
        return seen

    def tags(self, node: Node) -> list[str]:
        tags = ["голова"] if node.head else []
        if node.merge:
            tags.append("слияние")
        if self.children.get(node.revision, 0) > 1:
            tags.append("ветвление")
        tags += [f"метка {label}" for label in node.branch_labels]
        tags += [f"зависит от {dep}" for dep in node.depends_on]
        return tags

    # -- text/plain: git log --graph ---------------------------------------------------------

    def text(self) -> str:
        rows = _lane_rows(self.nodes)
        width = max(len(graph) for graph, _ in rows)
        id_width = max((len(n.revision) for n in self.nodes), default=len(BASE))
        lines = ["Граф ревизий (новые сверху):"]
        for graph, node in rows:
            if node is None:
                lines.append(graph.rstrip())
                continue
            if node.revision == BASE:
                here = not self.current
                lines.append(f"{graph.ljust(width)}  {BASE}" + (f"  {HERE}" if here else ""))
                continue
            line = f"{graph.ljust(width)}  {node.revision.ljust(id_width)}  {node.message}"
            tags = self.tags(node)
            if tags:
                line += f"  ({', '.join(tags)})"
            if node.revision in self.current:
                line += f"  {HERE}"
            lines.append(line)
        for rev in self.missing:
            lines.append(f"{HERE}: на ревизии {rev}, а её файла в alembic/versions нет.")
        return "\n".join(lines)

    # -- text/vnd.mermaid: JupyterLab's own renderer -----------------------------------------

    def mermaid(self) -> str:
        ids = {node.revision: f"r{i}" for i, node in enumerate(reversed(self.nodes))}
        ids[BASE] = "base"
        here_class = "current" if not self.current else "done"
        lines = ["flowchart BT", f'  base(("base")):::{here_class}']
        applied = self.applied()
        for node in reversed(self.nodes):  # oldest first: Mermaid keeps the order stable
            label = [f"<b>{_escape(node.revision)}</b>", _escape(node.message)]
            tags = [tag for tag in self.tags(node) if not tag.startswith("зависит")]  # an edge
            if tags:
                label.append(f"<i>{_escape(' · '.join(tags))}</i>")
            if node.revision in self.current:
                label.append(f"<b>{HERE}</b>")
            text = "<br/>".join(label)
            shape = f'{{{{"{text}"}}}}' if node.merge else f'["{text}"]'
            css = (
                "current"
                if node.revision in self.current
                else "done"
                if node.revision in applied
                else "todo"
            )
            lines.append(f"  {ids[node.revision]}{shape}:::{css}")
        for node in reversed(self.nodes):
            for parent in node.parents or (BASE,):
                lines.append(f"  {ids[parent]} --> {ids[node.revision]}")
            for dep in node.depends_on:
                if dep in ids:
                    lines.append(f"  {ids[dep]} -. depends_on .-> {ids[node.revision]}")
        for i, rev in enumerate(self.missing):
            lines.append(f'  missing{i}["<b>{HERE}</b><br/>{_escape(rev)}: файла нет"]:::current')
        lines += [
            "  classDef todo fill:#ffffff,stroke:#8c959f,color:#1f2328",
            "  classDef done fill:#dafbe1,stroke:#2da44e,color:#1f2328",
            "  classDef current fill:#2da44e,stroke:#116329,stroke-width:3px,color:#ffffff",
        ]
        # Heads get a thick border whatever their colour (`style` takes one node at a time).
        lines += [f"  style {ids[n.revision]} stroke-width:3px" for n in self.nodes if n.head]
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/vnd.mermaid": self.mermaid(), "text/plain": self.text()}


def _escape(text: str) -> str:
    """Mermaid labels: quotes and markup characters as entity codes (#34;)."""
    return "".join(f"#{ord(ch)};" if ch in '"<>#&' else ch for ch in text)


def _children_first(nodes: list[Node]) -> list[Node]:
    """Stable topological order: a revision comes after every revision built on it."""
    waiting = {node.revision: 0 for node in nodes}
    for node in nodes:
        for parent in node.parents:
            if parent in waiting:
                waiting[parent] += 1
    order: list[Node] = []
    left = list(nodes)
    while left:
        node = next((n for n in left if waiting[n.revision] == 0), left[0])  # left[0]: a cycle
        left.remove(node)
        order.append(node)
        for parent in node.parents:
            if parent in waiting:
                waiting[parent] -= 1
    return order


def _lane_rows(nodes: list[Node]) -> list[tuple[str, Node | None]]:
    """The graph column of `git log --graph`: a row per revision, connector rows between.

    Each lane waits for one revision. A revision takes the first lane waiting for it; other
    lanes waiting for it join that one ("|/"); a merge opens a lane per parent ("|\\").
    """
    lanes: list[str] = []
    rows: list[tuple[str, Node | None]] = []
    for node in [*nodes, Node(BASE, "", ())]:
        rev = node.revision
        if rev not in lanes:
            lanes.append(rev)
        col = lanes.index(rev)
        if lanes.count(rev) > 1:  # several children: their lanes come together here
            joined: list[str] = []
            moves = []
            for x, waits in enumerate(lanes):
                if waits != rev or rev not in joined:
                    joined.append(waits)
                moves.append((x, joined.index(rev) if waits == rev else len(joined) - 1))
            rows += [(row, None) for row in _connector_rows(moves)]
            lanes = joined
        mark = "○" if rev == BASE else "*"
        rows.append((" ".join(mark if x == col else "|" for x in range(len(lanes))), node))
        parents = list(node.parents or (() if rev == BASE else (BASE,)))
        shift = len(parents) - 1
        moves = [(x, x if x < col else x + shift) for x in range(len(lanes)) if x != col]
        moves += [(col, col + k) for k in range(len(parents))]
        rows += [(row, None) for row in _connector_rows(moves)]
        lanes = lanes[:col] + parents + lanes[col + 1 :]
    return rows


def _connector_rows(moves: Iterable[tuple[int, int]]) -> list[str]:
    """Rows of |, / and \\ that bring each lane from its column to its new one, a step a row."""
    moves = [list(move) for move in moves]
    rows: list[str] = []
    while any(x != to for x, to in moves):
        width = 2 * max(max(x, to) for x, to in moves) + 1
        chars = [" "] * width
        for move in moves:
            x, to = move
            step = (to > x) - (to < x)
            position = 2 * x + step
            chars[position] = "|" if step == 0 else ("\\" if step > 0 else "/")
            move[0] = x + step
        rows.append("".join(chars).rstrip())
    return rows


def read_graph(script: ScriptDirectory, current: Iterable[str] | None) -> RevisionGraph:
    """The graph of ``script``'s versions folder, the database on ``current`` (None: base)."""
    heads = set(script.get_heads())
    nodes = [
        Node(
            revision=rev.revision,
            message=(rev.doc or "").strip(),
            parents=_as_tuple(rev.down_revision),
            depends_on=_as_tuple(rev.dependencies),
            branch_labels=tuple(sorted(rev.branch_labels)),
            head=rev.revision in heads,
        )
        for rev in script.walk_revisions()
    ]
    return RevisionGraph(nodes, tuple(sorted(current or ())))


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def revision_graph() -> RevisionGraph:
    """The graph of the active lesson's sandbox, with its database's position."""
    lesson = active_lesson()
    script = sandbox_script()
    try:
        current = lesson.snapshot().version
    except SQLAlchemyError as exc:
        raise CourseError(f"не удалось прочитать alembic_version: {exc}") from None
    return read_graph(script, current)


def show_graph() -> None:
    """Display the revision graph of the sandbox: revisions, heads, merges, the database."""
    display(revision_graph())
