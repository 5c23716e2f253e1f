"""A thematic audit's report from its activities and themes (issue 20 items 1 and 5):
hostile text in every new field keeps the report's structure, and every piece of it is
recorded for the identifier guard."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date

import pytest

from audit import markdown as md
from audit.activities import Figure, Participant
from audit.report import build_report
from audit.scope_file import ScopeFile, parse_scope
from storage.demo import demo_partnership, sample_path
from tests.audit.test_markdown_hostile import HOSTILE, _FORBIDDEN, all_types, parse, structure
from tests.audit.test_report_quoted import MARK, Marker, marked

TODAY = date(2021, 10, 20)


def scope() -> ScopeFile:
    partnership, _ = demo_partnership()
    return parse_scope(sample_path("MATA-N21.toml").read_text(encoding="utf-8"), source="MATA-N21.toml",
                       agency_codes=partnership.agency_codes())


_SCOPE = scope()


def build(sf: ScopeFile):
    partnership, _ = demo_partnership()
    return build_report(sf.audit, partnership, [], [], [], [], [], {}, TODAY, activities=sf.activities,
                        themes=sf.themes)


def inject(text: str) -> ScopeFile:
    sf = copy.deepcopy(_SCOPE)
    for a in sf.activities:
        a.title, a.document, a.version, a.reviewer, a.source = text, text, text, text, text
        a.key_points = [text, f"Before {text} after"]
        a.participants = [Participant(text, "CSC", 2), Participant(text)]
        a.figures = [Figure(text, text), Figure("Plans", text)]
    for t in sf.themes:
        t.title, t.text = text, f"{text}\n\n{text}"
    return sf


def plain_shape():
    return structure(parse(build(inject("Plain words")).markdown))


_PLAIN = plain_shape()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_every_activity_and_theme_field_keeps_the_structure(text: str) -> None:
    report = build(inject(text))
    tokens = parse(report.markdown)
    if md.plain(text):
        assert structure(tokens) == _PLAIN
    assert not all_types(tokens) & _FORBIDDEN
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [(int(t.tag[1]), t.map[0] + 1) for t in headings] == [(lv, line) for lv, _, line in report.headings]


def test_every_activity_and_theme_text_is_recorded_for_the_guard() -> None:
    sf = copy.deepcopy(_SCOPE)
    mark = Marker()
    sf.activities = [dataclasses.replace(marked(a, mark), id=a.id, objectives=a.objectives) for a in sf.activities]
    sf.themes = [dataclasses.replace(marked(t, mark), id=t.id, evidence=t.evidence) for t in sf.themes]
    report = build(sf)
    shown = set(MARK.findall(report.markdown))
    recorded = {m for piece in report.quoted for m in MARK.findall(piece.text)}
    assert len(shown) > 30
    assert shown - recorded == set()
    labels = {piece.place.label for piece in report.quoted}
    for expected in ("activity E1, title", "activity E1, key point 2", "activity E3, document",
                     "activity E3, version", "activity E3, reviewer", "activity E4, figure 1", "activity E4, source",
                     "activity E1, participant role 1", "theme T1, title", "theme T1, text"):
        assert expected in labels, expected
