"""The grade scale and answer values shared by the tool, discussion and analysis."""

from __future__ import annotations

import unicodedata

import pytest

from audit.grades import Answer, Grade, distribution, most_common, top_grades

G = Grade


def test_grades_run_best_to_worst_on_keys_1_to_4() -> None:
    assert Grade.in_order() == [G.OUTSTANDING, G.GOOD, G.REQUIRES_IMPROVEMENT, G.INADEQUATE]
    assert [g.order for g in Grade.in_order()] == [1, 2, 3, 4]
    assert [Grade.from_key(k) for k in "1234"] == Grade.in_order()
    assert Grade.from_key("5") is None and Grade.from_key("g") is None


def test_grade_labels_and_stored_values() -> None:
    assert [g.label for g in Grade.in_order()] == [
        "Outstanding", "Good", "Requires improvement", "Inadequate"
    ]
    assert G.REQUIRES_IMPROVEMENT == "requires improvement"
    assert Grade("requires improvement") is G.REQUIRES_IMPROVEMENT


def test_answers_have_labels_keys_and_evidence_rule() -> None:
    assert [a.value for a in Answer] == ["yes", "partly", "no", "n/a"]
    assert [a.label for a in Answer] == ["Yes", "Partly", "No", "Not applicable"]
    assert [a.key for a in Answer] == ["y", "p", "n", "x"]
    assert [Answer.from_key(k) for k in "ypnx"] == list(Answer)
    assert Answer.from_key("q") is None
    assert [a.needs_evidence for a in Answer] == [True, True, True, False]


@pytest.mark.parametrize("kind", [Grade, Answer])
def test_symbols_are_distinct_single_cells(kind: type) -> None:
    symbols = [m.symbol for m in kind]
    assert len(set(symbols)) == len(symbols)
    for s in symbols:
        # One character, never East Asian wide or ambiguous, so grids line up anywhere.
        assert len(s) == 1 and unicodedata.east_asian_width(s) in ("N", "Na"), s


def test_distribution_counts_every_grade_and_skips_ungraded() -> None:
    counts = distribution([G.GOOD, None, G.GOOD, G.INADEQUATE])
    assert counts == {G.OUTSTANDING: 0, G.GOOD: 2, G.REQUIRES_IMPROVEMENT: 0, G.INADEQUATE: 1}
    assert list(counts) == Grade.in_order()
    assert distribution([]) == dict.fromkeys(Grade.in_order(), 0)


def test_most_common() -> None:
    assert most_common([G.GOOD, G.GOOD, G.INADEQUATE]) is G.GOOD
    assert most_common([]) is None
    assert most_common([None, None]) is None
    assert most_common(iter([G.OUTSTANDING])) is G.OUTSTANDING


def test_a_tie_has_no_single_most_common_grade() -> None:
    assert most_common([G.GOOD, G.REQUIRES_IMPROVEMENT]) is None
    assert top_grades([G.GOOD, G.REQUIRES_IMPROVEMENT]) == [G.GOOD, G.REQUIRES_IMPROVEMENT]
    assert most_common([G.INADEQUATE, G.OUTSTANDING, G.GOOD]) is None
    assert most_common([G.OUTSTANDING, G.GOOD, G.GOOD, G.OUTSTANDING, G.INADEQUATE]) is None
    assert most_common([G.GOOD, G.GOOD, G.REQUIRES_IMPROVEMENT]) is G.GOOD
    assert top_grades([]) == []
