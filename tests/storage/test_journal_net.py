"""The journal records changes, not snapshots (DESIGN §7, issue 14 item 3).

A dict field journals only the keys that changed (one answer, not all of them); typing
into a draft is journaled as the net change of each field when its editor closes, the
return is left, or it has been idle for 30 s, whoever's session is still there to see
it; and typing 1,000 characters into five answers with an autosave every half second
grows the workspace by no more than 60 KB.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from audit.return_transitions import set_answer
from audit.returns import Return, Status
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.returns import cohort_refs, open_return, save_draft, settle_draft, tool_for
from storage.workspace import Workspace
from tests.workspace_files import data_bytes

LOGIN = os_login()
AT = datetime(2021, 4, 20, 10, 0)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return build_demo(tmp_path / "ws", LOGIN)


def fresh_draft(ws: Workspace) -> Return:
    """A return with all its answers given (so a snapshot of them would be large)."""
    case = cohort_refs(ws, DEMO_AUDIT)[0]
    ret = open_return(ws, DEMO_AUDIT, case, "CSC")
    tool = tool_for(ws, DEMO_AUDIT, "CSC")
    for qid in tool.question_ids():
        ret = set_answer(ret, LOGIN, AT, qid, evidence="Seen at home; chronology kept. " * 5)
    return save_draft(ws, ret)


def test_an_answer_saved_journals_that_answer_only(ws: Workspace) -> None:
    ret = fresh_draft(ws)
    qid = list(ret.answers)[3]
    saved = save_draft(ws, set_answer(ret, LOGIN, AT, qid, evidence="Changed."))
    entry = Workspace.open(ws.path, LOGIN).journal()[-1]
    assert entry.key == saved.key and entry.action == "update"
    assert list(entry.after["answers"]) == [qid]  # one answer, not all of them
    assert entry.after["answers"][qid]["evidence"] == "Changed."
    assert entry.before["answers"][qid]["evidence"].startswith("Seen at home")
    assert len(ret.answers) > 20


def test_typing_is_journaled_once_as_the_net_change_when_the_editor_closes(ws: Workspace) -> None:
    ret = fresh_draft(ws)
    qid = list(ret.answers)[0]
    before = len(ws.journal())
    text = ""
    for word in ("Mother", " reported", " concerns", " at", " the", " visit."):
        text += word
        ret = save_draft(ws, set_answer(ret, LOGIN, AT, qid, evidence=text), settle=False)
    other = Workspace.open(ws.path, "rlead")
    assert other.get_return(ret.audit, ret.case_ref, ret.agency).answers[qid].evidence == text  # saved
    assert len(other.journal()) == before  # but not journaled keystroke by keystroke
    assert settle_draft(ws, ret)
    entries = Workspace.open(ws.path, LOGIN).journal()[before:]
    assert len(entries) == 1
    assert entries[0].who == LOGIN and list(entries[0].after["answers"]) == [qid]
    assert entries[0].before["answers"][qid]["evidence"].startswith("Seen at home")
    assert entries[0].after["answers"][qid]["evidence"] == "Mother reported concerns at the visit."
    assert not settle_draft(ws, ret)  # nothing left to journal


def test_a_change_left_by_a_lost_session_is_journaled_by_the_next_after_30_s(ws: Workspace) -> None:
    ret = fresh_draft(ws)
    qid = list(ret.answers)[1]
    typed = save_draft(ws, set_answer(ret, LOGIN, AT, qid, evidence="Typed, then the line dropped."),
                       settle=False)
    before = len(ws.journal())
    lead = Workspace.open(ws.path, "rlead")
    lead.returns(DEMO_AUDIT)  # the lead's screens show the audit
    assert lead.settle_idle(datetime.now()) == 0  # not idle long enough yet
    assert lead.settle_idle(datetime.now() + timedelta(seconds=31)) == 1
    [entry] = Workspace.open(ws.path, LOGIN).journal()[before:]
    assert entry.who == LOGIN  # the typist's change, whoever's session journals it
    assert entry.key == typed.key and entry.after["answers"][qid]["evidence"] == "Typed, then the line dropped."
    assert lead.settle_idle(datetime.now() + timedelta(seconds=62)) == 0


def test_a_journaled_save_after_typing_covers_the_typing_too(ws: Workspace) -> None:
    ret = fresh_draft(ws)
    qid = list(ret.answers)[2]
    before = len(ws.journal())
    ret = save_draft(ws, set_answer(ret, LOGIN, AT, qid, evidence="First words"), settle=False)
    ret = save_draft(ws, set_answer(ret, LOGIN, AT, list(ret.answers)[4], evidence="Other answer"))
    [entry] = Workspace.open(ws.path, LOGIN).journal()[before:]
    assert sorted(entry.after["answers"]) == sorted([qid, list(ret.answers)[4]])


def test_typing_1000_characters_into_five_answers_grows_the_workspace_by_at_most_60_kb(ws: Workspace) -> None:
    ret = fresh_draft(ws)
    ret = save_draft(ws, ret)
    start = sum(len(b) for b in data_bytes(ws.path).values())
    answers = list(ret.answers)[:5]
    sentence = "The health visitor saw mother and baby at home; records show the plan was reviewed. "
    saves = 0
    for qid in answers:  # 200 characters each, an autosave every 3 (half a second of typing)
        text = ret.answers[qid].evidence
        target = (sentence * 3)[:200]
        for end in range(3, 201, 3):
            ret = save_draft(ws, set_answer(ret, LOGIN, AT, qid, evidence=text + target[:end]), settle=False)
            saves += 1
        settle_draft(ws, ret)  # the editor closes
    grown = sum(len(b) for b in data_bytes(ws.path).values()) - start
    assert saves >= 330
    assert grown <= 60_000, f"{saves} autosaves grew the workspace by {grown:,} bytes"
    assert Workspace.open(ws.path, LOGIN).get_return(ret.audit, ret.case_ref, ret.agency).answers[answers[-1]] \
        .evidence.endswith(target[:198])
