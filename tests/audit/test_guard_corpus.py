"""The guard against a corpus (issue 16 item 7): family names that are ordinary words
cause no false refusal of the demo report, and every way of leaking a stored identifier,
each typed into a different field, is caught with the right place named.

Runs on the demo workspace as `maca demo` builds it (returns, findings and actions under
way), through the same call the export makes (`storage.guard.guard_report`).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest

from audit.access import Act
from audit.cases import CandidateCase
from audit.guard import DATE_OF_BIRTH, FAMILY_NAME, SYSTEM_ID, common_words
from storage.demo import DEMO_AUDIT, build_demo
from storage.export import export_report, report_for
from storage.guard import guard_report
from storage.workspace import Workspace

TODAY = date(2021, 4, 20)

# Family names that are ordinary English words (each checked against the word list below).
COMMON_NAMES = [
    "Good", "Young", "Case", "Child", "Police", "Health", "Green", "White", "Hall", "Hill", "Wood", "Moss",
    "Best", "Bird", "Fox", "Baker", "Cook", "Mason", "Ward", "Marsh", "Rose", "Lamb", "Bell", "Stone",
    "Field", "Brook", "Cross", "Page", "Gold", "Rich", "Little", "Long", "Short", "Sharp", "Frost", "Snow",
    "Day", "Knight", "King", "Bishop", "Archer", "Butler", "Hunter", "Fisher", "Potter",
    "Turner", "Walker", "Miller", "Clay", "Lane", "Banks", "Price", "Power", "Rice", "Ball", "Buck",
    "Crow", "Swan", "Hart", "Wolf", "Pike", "Church", "Black", "Brown", "Grey", "Head", "Law", "Mills",
    "Nurse", "Family", "Red", "Home", "Care", "Plan", "Review", "Risk", "Well", "Mother", "Father", "Baby",
    "School", "Support", "Early", "Help", "Worker", "Booking", "Partner",
]

VICTIMS = [
    CandidateCase(audit=DEMO_AUDIT, case_ref="RB-9001", family_name="Ashcombe", child_dob=date(2016, 8, 30),
                  system_ids="NHS 485 777 3456; LCS-F-10577"),
    CandidateCase(audit=DEMO_AUDIT, case_ref="RB-9002", family_name="Smith-Jones"),
    CandidateCase(audit=DEMO_AUDIT, case_ref="RB-9003", family_name="Peña"),
    CandidateCase(audit=DEMO_AUDIT, case_ref="RB-9004", family_name="Green"),
    CandidateCase(audit=DEMO_AUDIT, case_ref="RB-9005", family_name="Young"),
]

# (what is typed, kind, whose): plural, possessive, capitals, hyphens, accents, titles,
# dates in digits and words, ids with and without spaces and hyphens, hidden characters.
LEAKS: list[tuple[str, str, str]] = [
    ("The Ashcombes were seen together at home.", FAMILY_NAME, "RB-9001"),
    ("In the ASHCOMBES' home the children were safe.", FAMILY_NAME, "RB-9001"),
    ("Seen with Ashcombe's partner.", FAMILY_NAME, "RB-9001"),
    ("the social worker phoned ashcombe twice", FAMILY_NAME, "RB-9001"),
    ("Letters went to ASHCOMBE and the school.", FAMILY_NAME, "RB-9001"),
    ("Visits to the Ashcombe family stopped.", FAMILY_NAME, "RB-9001"),
    ("Ash\u200bcombe was not seen.", FAMILY_NAME, "RB-9001"),
    ("Ash\u00adcombe moved house.", FAMILY_NAME, "RB-9001"),
    ("\uff21\uff53\uff48\uff43\uff4f\uff4d\uff42\uff45 attended.", FAMILY_NAME, "RB-9001"),
    ("Ashcombes\u2019 case notes were thin.", FAMILY_NAME, "RB-9001"),
    ("The Smith-Jones household was overcrowded.", FAMILY_NAME, "RB-9002"),
    ("The Smith Jones household was overcrowded.", FAMILY_NAME, "RB-9002"),
    ("Records for SMITH-JONES were merged.", FAMILY_NAME, "RB-9002"),
    ("Mother (Smith\u2013Jones) declined.", FAMILY_NAME, "RB-9002"),
    ("Mrs Pena was seen at booking.", FAMILY_NAME, "RB-9003"),
    ("Mrs PEÑA was seen at booking.", FAMILY_NAME, "RB-9003"),
    ("The Penas' flat was cold.", FAMILY_NAME, "RB-9003"),
    ("Mr Green was not seen.", FAMILY_NAME, "RB-9004"),
    ("mrs green declined the offer", FAMILY_NAME, "RB-9004"),
    ("Support for the Green family ended.", FAMILY_NAME, "RB-9004"),
    ("Nobody visited the Greens at home.", FAMILY_NAME, "RB-9004"),
    ("Support was offered to GREEN by the nursery.", FAMILY_NAME, "RB-9004"),
    ("Dr Green referred the baby.", FAMILY_NAME, "RB-9004"),
    ("Ms. Green attended.", FAMILY_NAME, "RB-9004"),
    ("Mx Green attended.", FAMILY_NAME, "RB-9004"),
    ("We spoke to Miss Green.", FAMILY_NAME, "RB-9004"),
    ("A letter to the Greens' home was returned.", FAMILY_NAME, "RB-9004"),
    ("Nobody asked the youngs about the baby.", FAMILY_NAME, "RB-9005"),
    ("Health visitors met Young's mother.", FAMILY_NAME, "RB-9005"),
    ("Born 30/08/2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born 30.8.2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born 2016-08-30.", DATE_OF_BIRTH, "RB-9001"),
    ("Born 30-08-2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born 30 August 2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born 30th Aug 2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born on the 30th of August, 2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born August 30, 2016.", DATE_OF_BIRTH, "RB-9001"),
    ("Born 30/08/16.", DATE_OF_BIRTH, "RB-9001"),
    ("Born Aug 30th 2016.", DATE_OF_BIRTH, "RB-9001"),
    ("NHS 485 777 3456 was checked.", SYSTEM_ID, "RB-9001"),
    ("Number 4857773456 was checked.", SYSTEM_ID, "RB-9001"),
    ("Number 485-777-3456 was checked.", SYSTEM_ID, "RB-9001"),
    ("Case file LCS-F-10577 was read.", SYSTEM_ID, "RB-9001"),
    ("Case file lcs f 10577 was read.", SYSTEM_ID, "RB-9001"),
    ("Case file LCSF10577 was read.", SYSTEM_ID, "RB-9001"),
    ("\uff14\uff18\uff15\uff17\uff17\uff17\uff13\uff14\uff15\uff16 was checked.", SYSTEM_ID, "RB-9001"),
]

Setter = Callable[[Workspace, str], None]


def _audit(ws: Workspace, change: Callable[[Any], None]) -> None:
    audit = ws.audit(DEMO_AUDIT)
    copy = dataclasses.replace(audit, purpose=list(audit.purpose),
                               objectives=[dataclasses.replace(o) for o in audit.objectives],
                               criteria=[dataclasses.replace(c) for c in audit.criteria],
                               milestones=[dataclasses.replace(m) for m in audit.milestones])
    change(copy)
    ws.save(copy, act=Act.EDIT_SCOPE)


def _set(obj: Any, name: str, value: Any) -> None:
    setattr(obj, name, value)


def slots(ws: Workspace) -> list[tuple[str, Setter]]:
    """Every field of the demo report people wrote: (its place, how to set it)."""
    out: list[tuple[str, Setter]] = [
        ("scope, title", lambda w, t: _audit(w, lambda a: _set(a, "title", t))),
        ("scope, background", lambda w, t: _audit(w, lambda a: _set(a, "background", t))),
        ("scope, linked review", lambda w, t: _audit(w, lambda a: _set(a, "linked_review", t))),
    ]
    audit = ws.audit(DEMO_AUDIT)
    for n in range(1, len(audit.purpose) + 1):
        out.append((f"scope, purpose {n}", lambda w, t, i=n - 1: _audit(w, lambda a: a.purpose.__setitem__(i, t))))
    for n in range(1, len(audit.objectives) + 1):
        out.append((f"scope, objective {n}, title",
                    lambda w, t, i=n - 1: _audit(w, lambda a: _set(a.objectives[i], "title", t))))
        out.append((f"scope, objective {n}, description",
                    lambda w, t, i=n - 1: _audit(w, lambda a: _set(a.objectives[i], "text", t))))
    for n in range(1, len(audit.criteria) + 1):
        out.append((f"scope, cohort criterion {n}, label",
                    lambda w, t, i=n - 1: _audit(w, lambda a: _set(a.criteria[i], "label", t))))
    for n in range(1, len(audit.milestones) + 1):
        out.append((f"scope, milestone {n}, name",
                    lambda w, t, i=n - 1: _audit(w, lambda a: _set(a.milestones[i], "name", t))))
    report = report_for(ws, DEMO_AUDIT, TODAY)
    labels = {p.place.label: p.place for p in report.quoted}
    for finding in ws.findings(DEMO_AUDIT):
        for field, label in (("title", "title"), ("text", "text")):
            if f"finding {finding.id}, {label}" in labels:
                out.append((f"finding {finding.id}, {label}",
                            lambda w, t, k=finding.key, f=field: w.save(
                                dataclasses.replace(w.get("findings", k), **{f: t}), act=Act.EDIT_BOARD)))
    for action in ws.actions(DEMO_AUDIT):
        if f"action {action.id}, what will be done" in labels:
            out.append((f"action {action.id}, what will be done",
                        lambda w, t, k=action.key: w.save(
                            dataclasses.replace(w.get("actions", k), description=t), act=Act.EDIT_BOARD)))
    for ret in sorted(ws.returns(DEMO_AUDIT), key=lambda r: r.key):
        for field, label in (("good_practice", "good practice"), ("areas_for_development", "areas for development"),
                             ("impact_on_child", "difference made for the child")):
            place = f"{ret.agency}'s return for {ret.case_ref}, {label}"
            if place in labels:
                out.append((place, lambda w, t, k=ret.key, f=field: w.save(
                    dataclasses.replace(w.get("returns", k), **{f: t}), act=Act.EDIT_RETURN)))
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.json", "lead1", in_progress=True).path


def test_the_corpora_are_as_large_as_the_issue_asks() -> None:
    assert len(set(COMMON_NAMES)) >= 60
    assert [n for n in COMMON_NAMES if n.lower() not in common_words()] == []
    assert len(LEAKS) >= 40


def test_good_young_green_and_hall_families_export_without_a_single_alarm(demo: Path, tmp_path: Path) -> None:
    ws = Workspace.open(demo, "lead1")
    for n, name in enumerate(["Good", "Young", "Green", "Hall"]):
        ws.insert(CandidateCase(audit=DEMO_AUDIT, case_ref=f"RB-8{n:03d}", family_name=name), act=Act.IMPORT_CASES)
    assert guard_report(ws, report_for(ws, DEMO_AUDIT, TODAY)) == []
    result = export_report(ws, DEMO_AUDIT, tmp_path / "report.md", "md", TODAY)
    assert result.size > 10_000


def test_no_false_refusal_with_every_common_word_name_among_the_candidates(demo: Path) -> None:
    ws = Workspace.open(demo, "lead1")
    with ws.transaction() as tx:  # one save for the 87 cases, not one each
        for n, name in enumerate(COMMON_NAMES):
            tx.insert(CandidateCase(audit=DEMO_AUDIT, case_ref=f"RB-7{n:03d}", family_name=name))
    leaks = guard_report(ws, report_for(ws, DEMO_AUDIT, TODAY))
    assert [leak.describe() for leak in leaks if leak.certain] == []
    # What is left is for a lead to review, never a refusal: a capital at the start of a
    # sentence or a label ("Police", "Health visiting"), or a title ("Rapid Review").
    assert all(not leak.certain and leak.context for leak in leaks)


def test_every_way_of_leaking_is_caught_in_its_own_field_with_the_place_named(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "demo.json", "lead1", in_progress=True)
    for victim in VICTIMS:
        ws.insert(victim, act=Act.IMPORT_CASES)
    fields = slots(ws)
    assert len(fields) >= len(LEAKS), "the demo report has a field for every leak"
    expected = []
    for (text, kind, ref), (place, setter) in zip(LEAKS, fields):
        setter(ws, text)
        expected.append((place, kind, ref))
    leaks = guard_report(ws, report_for(ws, DEMO_AUDIT, TODAY))
    found = {(leak.place.label, leak.kind, leak.case_ref) for leak in leaks if leak.certain}
    missed = [(text, place) for (text, _, _), (place, kind, ref) in zip(LEAKS, expected)
              if (place, kind, ref) not in found]
    assert missed == [], missed
    # Nowhere else, and never the identifier itself in what is shown.
    assert {label for label, _, _ in found} <= {place for place, _, _ in expected}
    for leak in leaks:
        shown = (leak.describe() + " " + leak.context).lower()
        for secret in ("ashcombe", "smith", "peña", "pena", "30/08", "2016", "485", "10577"):
            assert secret not in shown, (secret, shown)
