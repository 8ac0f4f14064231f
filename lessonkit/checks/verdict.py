"""The verdict every check returns: ✅ or ❌ with a hint, as HTML and as text."""

from __future__ import annotations

from lessonkit.core.markup import MessageBox


class Verdict:
    def __init__(self, ok: bool, message: str, hint: str = ""):
        self.ok, self.message, self.hint = ok, message, hint

    def __bool__(self) -> bool:
        return self.ok

    def text(self) -> str:
        if self.ok:
            return f"✅ Верно: {self.message}"
        return f"❌ Пока не выполнено: {self.message}" + (
            f"\n   Подсказка: {self.hint}" if self.hint else ""
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text())

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The bundle shown (the same HTML and text as always); showing it records the verdict
        in the learner's progress, once per display (several checks in one cell: one record)."""
        from lessonkit.lesson.progress import record_verdict

        record_verdict(self.ok)
        return {"text/plain": self.text(), "text/html": self._repr_html_()}

    def _repr_html_(self) -> str:
        if self.ok:
            return MessageBox("success", f"✅ Верно: {self.message}", [])._repr_html_()
        lines = [("Подсказка", self.hint)] if self.hint else []
        return MessageBox("warning", f"❌ Пока не выполнено: {self.message}", lines)._repr_html_()


class Verdicts(Verdict):
    """Several checks shown together; passed only when all of them pass."""

    def __init__(self, verdicts: tuple[Verdict, ...]):
        super().__init__(all(verdicts), "")
        self.verdicts = verdicts

    def text(self) -> str:
        return "\n".join(v.text() for v in self.verdicts)

    def _repr_html_(self) -> str:
        return "".join(v._repr_html_() for v in self.verdicts)


def all_of(*verdicts: Verdict) -> Verdict:
    return Verdicts(verdicts)


def _report(ok: bool, success: str, failure: str, hint: str = "") -> Verdict:
    return Verdict(ok, success if ok else failure, "" if ok else hint)
