"""Cases an import stores in one go (``Transaction.insert_fresh``, encoded in bulk by
``to_docs``): the file holds the documents ``to_doc`` makes, later saves and their
journal see plain documents, and the standard library's fallback writer and a rebuilt
index agree.  (An import once kept the case instances themselves in the raw table, for
the old single file that was rewritten whole on every save; no more.)
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import orjson
import pytest

from audit.codec import to_doc
from storage.encode import serialise as _serialise
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


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Workspace, Path]:
    path = tmp_path / "w.json"
    build_demo(path, LEAD)
    ws = Workspace.open(path, LEAD)
    audit = ws.audit(REF)
    result = validate_candidates(ws, audit, CSV.encode())
    assert result.ok, result.problems
    import_candidates(ws, audit, result.cases, source="bulk.csv")
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
    assert all(type(doc) is dict for doc in data["cases"].values())  # plain documents
    fallback = json.loads(json.dumps(data))
    assert fallback == orjson.loads(_serialise(data))
    before = {c.key: c for c in ws.cases(REF)}
    ws._audit_tables = {}  # as after the index is dropped: rebuilt from the raw tables
    assert {c.key: c for c in ws.cases(REF)} == before
