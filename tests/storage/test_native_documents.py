"""Cases an import keeps as their own documents (``native_document``, ``insert_fresh``).

An import of 50,000 cases stores the case instances themselves in the raw table, and
orjson writes them from their ``__dict__``.  These tests hold that to the promise that
nothing else can tell: the file holds the documents ``to_doc`` makes, later saves and
their journal see plain documents, and the standard library's fallback writer and a
rebuilt index agree.
"""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from audit.cases import CandidateCase, Engagement
from audit.codec import native_document, to_doc
from storage.encode import _document, serialise as _serialise
from storage.cohort import import_candidates, set_in_cohort, validate_candidates
from storage.demo import build_demo
from storage.errors import ConflictError
from tests.workspace_files import on_disk as tables_on_disk
from storage.workspace import Workspace

REF = "MACA-C86"
LEAD = "tester"
TODAY = date(2021, 4, 20)
CSV = (
    "case_ref,unborn,older_siblings,domestic_abuse,substance_misuse,maternal_mental_health,"
    "males_in_household,engagement,family_name,child_dob,system_ids,notes\n"
    "N-1,yes,2,no,,yes,1,CSC:2020-02-01..2020-11-30; POL:03/05/2020..,Inchcombe,2016-04-09,NHS 1,a note\n"
    "N-2,,,,,,,none,,,,\n"
    "N-3,no,0,yes,yes,no,0,,\"Lantern, [b]by[/b]\",,,\n"
)


def _random_case(n: int, rng: random.Random) -> CandidateCase:
    pick = rng.choice
    return CandidateCase(
        audit="A", case_ref=f"C{n}", unborn=pick([None, True, False]), older_siblings=pick([None, 0, 3]),
        domestic_abuse=pick([None, True, False]), substance_misuse=pick([None, False]),
        maternal_mental_health=pick([None, True]), males_in_household=pick([None, 0, 2]),
        engagement=pick([None, [], [Engagement("CSC", date(2020, 1, 2))],
                         [Engagement("POL", None, date(2021, 2, 3)), Engagement("EY", date(2019, 5, 6), None)]]),
        family_name=pick(["", "Smith", 'a "quoted" [b]name[/b] \u00e9']), child_dob=pick([None, date(2016, 4, 9)]),
        system_ids=pick(["", "NHS 1; LCS 2"]), notes=pick(["", "line\nbreak"]), in_cohort=pick([False, True]),
        decision_reason=pick(["", "why"]), decided_by=pick(["", "alice"]),
        decided_at=pick([None, datetime(2021, 3, 19, 10, 4, 5)]), drawn=pick([False, True]), rev=n % 3,
    )


def test_orjson_writes_a_case_exactly_as_its_document() -> None:
    rng = random.Random(11)
    for n in range(300):
        case = _random_case(n, rng)
        assert orjson.dumps(case) == orjson.dumps(to_doc(case)), case
        replaced = dataclasses.replace(case, in_cohort=not case.in_cohort)
        assert orjson.dumps(replaced) == orjson.dumps(to_doc(replaced))
    bare = CandidateCase(audit="A", case_ref="C")
    assert vars(bare) == {"audit": "A", "case_ref": "C"}  # defaults stay on the class
    assert bare.in_cohort is False and bare.engagement is None and bare.rev == 0


def test_only_classes_orjson_writes_as_the_codec_does_can_be_native() -> None:
    @dataclasses.dataclass(slots=True)
    class Slotted:
        CODEC_OMIT_DEFAULTS: ClassVar[bool] = True
        a: str = ""

    @dataclasses.dataclass
    class Floating:
        CODEC_OMIT_DEFAULTS: ClassVar[bool] = True
        ratio: float = 0.0  # orjson writes NaN as null, json as NaN

    @dataclasses.dataclass
    class Listed:
        CODEC_OMIT_DEFAULTS: ClassVar[bool] = True
        items: list[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass
    class Dated:
        CODEC_OMIT_DEFAULTS: ClassVar[bool] = True
        day: date = date(2020, 1, 1)  # not a plain value: would not be left to the class

    @dataclasses.dataclass
    class Checked:
        CODEC_OMIT_DEFAULTS: ClassVar[bool] = True
        a: str = ""

        def __post_init__(self) -> None:  # a native __init__ would skip it
            pass

    @dataclasses.dataclass(kw_only=True)
    class Keywords:
        CODEC_OMIT_DEFAULTS: ClassVar[bool] = True
        a: str = ""

    for cls in (Slotted, Floating, Listed, Dated, Checked, Keywords):
        with pytest.raises(TypeError):
            native_document(cls)


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Workspace, Path]:
    path = tmp_path / "w.json"
    build_demo(path, LEAD)
    ws = Workspace.open(path, LEAD)
    audit = ws.audit(REF)
    result = validate_candidates(ws, audit, CSV.encode())
    assert result.ok, result.problems
    import_candidates(ws, audit, result.cases, source="native.csv")
    return ws, path


def test_the_file_holds_the_documents_to_doc_makes(imported: tuple[Workspace, Path]) -> None:
    ws, path = imported
    on_disk = tables_on_disk(path)["cases"]
    by_key = {f"{d['audit']}/{d['case_ref']}": d for d in on_disk.values()}
    for case in ws.cases(REF):
        assert by_key[case.key] == to_doc(case)
    assert by_key[f"{REF}/N-2"] == {"audit": REF, "case_ref": "N-2", "engagement": [], "rev": 1}
    reopened = Workspace.open(path, LEAD)
    assert sorted(reopened.cases(REF), key=lambda c: c.key) == sorted(ws.cases(REF), key=lambda c: c.key)


def test_a_later_save_journals_only_what_changed(imported: tuple[Workspace, Path]) -> None:
    ws, path = imported
    set_in_cohort(ws, REF, "N-1", True, "checked by hand", today=TODAY)
    entry = Workspace.open(path, LEAD).journal()[-1]
    assert entry.summary == "added N-1 to the cohort: checked by hand"
    assert sorted(entry.changed_fields()) == ["decided_at", "decided_by", "decision_reason", "in_cohort"]
    assert entry.before["in_cohort"] is False and entry.after["in_cohort"] is True
    assert Workspace.open(path, LEAD).case(REF, "N-1").in_cohort


def test_a_stale_save_of_an_imported_case_shows_the_stored_document(imported: tuple[Workspace, Path]) -> None:
    ws, _ = imported
    stale = dataclasses.replace(ws.case(REF, "N-1"), rev=0, notes="edited")
    with ws.transaction() as tx, pytest.raises(ConflictError) as caught:
        tx.save(stale, summary="edit")
    theirs = caught.value.theirs
    assert isinstance(theirs, dict) and theirs["rev"] == 1
    assert theirs["engagement"] == [{"agency": "CSC", "start": "2020-02-01", "end": "2020-11-30"},
                                    {"agency": "POL", "start": "2020-05-03", "end": None}]


def test_the_fallback_writer_and_a_rebuilt_index_agree(imported: tuple[Workspace, Path]) -> None:
    ws, _ = imported
    data = ws._audit_data(REF)
    assert any(isinstance(doc, CandidateCase) for doc in data["cases"].values())  # kept as themselves
    fallback = json.loads(json.dumps(data, default=_document))
    assert fallback == orjson.loads(_serialise(data))
    with pytest.raises(TypeError):
        _document(object())
    before = {c.key: c for c in ws.cases(REF)}
    ws._audit_tables = {}  # as after the index is dropped: rebuilt from the raw tables
    assert {c.key: c for c in ws.cases(REF)} == before
