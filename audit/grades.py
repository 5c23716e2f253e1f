"""The four-point grade scale and the answer values used by every audit tool.

Grades follow Ofsted's scale (outstanding, good, requires improvement, inadequate).
Each grade and answer carries a label for people, a key the tool screen binds
(``1``-``4`` for grades, ``y``/``p``/``n``/``x`` for answers) and a one-character symbol
so that a grid never relies on colour alone.  Every symbol is a single terminal cell
(East Asian width "N" or "Na"), so columns line up in any locale.

Discussion, analysis and the report share these helpers, so the tie rule of
:func:`most_common` (no single grade on a tie) is the one rule the whole product uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum


class Grade(StrEnum):
    """A section grade; ``order`` runs from 1 (best) to 4 (worst)."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        """Sentence-case name for display: ``Requires improvement``."""
        return self.value.capitalize()

    @property
    def symbol(self) -> str:
        """One cell that tells the grades apart without colour."""
        return _GRADE_SYMBOLS[self]

    @property
    def order(self) -> int:
        """1 for outstanding … 4 for inadequate; a higher number is worse."""
        return _GRADE_ORDER[self]

    @property
    def key(self) -> str:
        """The key that picks this grade in the tool screen (``"1"``-``"4"``)."""
        return str(self.order)

    @classmethod
    def from_key(cls, key: str) -> Grade | None:
        """The grade bound to ``key`` (``"1"``-``"4"``), or None for any other key."""
        for grade in cls:
            if grade.key == key:
                return grade
        return None

    @classmethod
    def in_order(cls) -> list[Grade]:
        """All grades, best first (the order of keys 1-4)."""
        return sorted(cls, key=lambda g: g.order)


_GRADE_SYMBOLS: dict[Grade, str] = {
    Grade.OUTSTANDING: "✦",
    Grade.GOOD: "✓",
    Grade.REQUIRES_IMPROVEMENT: "!",
    Grade.INADEQUATE: "✗",
}

_GRADE_ORDER: dict[Grade, int] = {
    Grade.OUTSTANDING: 1,
    Grade.GOOD: 2,
    Grade.REQUIRES_IMPROVEMENT: 3,
    Grade.INADEQUATE: 4,
}


class Answer(StrEnum):
    """The answer to one audit-tool question."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NA = "n/a"

    @property
    def label(self) -> str:
        """Name for display: ``Not applicable`` for n/a."""
        return _ANSWER_LABELS[self]

    @property
    def key(self) -> str:
        """The key that picks this answer in the tool screen."""
        return _ANSWER_KEYS[self]

    @property
    def symbol(self) -> str:
        """One cell that tells the answers apart without colour."""
        return _ANSWER_SYMBOLS[self]

    @property
    def needs_evidence(self) -> bool:
        """Whether a submitted return must give evidence for this answer.

        Yes, partly and no are claims about practice and need the record that backs
        them; "not applicable" only needs saying.
        """
        return self is not Answer.NA

    @classmethod
    def from_key(cls, key: str) -> Answer | None:
        """The answer bound to ``key`` (``y``/``p``/``n``/``x``), or None."""
        for answer in cls:
            if answer.key == key:
                return answer
        return None


_ANSWER_LABELS: dict[Answer, str] = {
    Answer.YES: "Yes",
    Answer.PARTLY: "Partly",
    Answer.NO: "No",
    Answer.NA: "Not applicable",
}

_ANSWER_KEYS: dict[Answer, str] = {
    Answer.YES: "y",
    Answer.PARTLY: "p",
    Answer.NO: "n",
    Answer.NA: "x",
}

_ANSWER_SYMBOLS: dict[Answer, str] = {
    Answer.YES: "✓",
    Answer.PARTLY: "~",
    Answer.NO: "✗",
    Answer.NA: "-",
}


def distribution(grades: Iterable[Grade | None]) -> dict[Grade, int]:
    """Count of each grade, every grade present (zero if unused), best first.

    ``None`` (not graded yet) is skipped, so callers can pass raw section returns.
    """
    counts = Counter(g for g in grades if g is not None)
    return {grade: counts.get(grade, 0) for grade in Grade.in_order()}


def top_grades(grades: Iterable[Grade | None]) -> list[Grade]:
    """Every grade given most often, best first: one grade, several on a tie, none if
    nothing is graded.  ``None`` is skipped."""
    counts = distribution(grades)
    top = max(counts.values())
    return [g for g, n in counts.items() if n == top] if top else []


def most_common(grades: Iterable[Grade | None]) -> Grade | None:
    """The single grade given most often; None when nothing is graded **or on a tie**.

    A tie is not broken either way: quietly picking the worse (or the kinder) grade read
    as a verdict ("Inadequate (1 of 3)" beside one good and one outstanding), so the
    screens and the report say "no single most common grade" and show the spread.
    """
    top = top_grades(grades)
    return top[0] if len(top) == 1 else None
