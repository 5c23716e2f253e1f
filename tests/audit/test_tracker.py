"""The action tracker's rows, filters, export text and who may update or sign off."""

from __future__ import annotations

from datetime import date, datetime

from audit.access import Act, decide
from audit.findings import Action, ActionStatus, ActionUpdate, Rag, UpdateKind
from audit.html import to_html
from audit.partnership import Role, User, parse_partnership
from audit.tracker import TrackerFilter, counts, status_text, tracker_json, tracker_markdown, tracker_rows

TODAY = date(2021, 4, 20)
HOSTILE = "[bold]x[/] | # head <script>alert(1)</script> \x1b[31mred\x1b[0m *em* `code`"


def _actions() -> list[Action]:
    return [
        Action(audit="B-2", id="A1", finding_id="F1", owner="CSC", due=date(2021, 4, 1),
               status=ActionStatus.AGREED, description="late"),
        Action(audit="A-1", id="A2", finding_id="F3", owner="MID", due=date(2021, 6, 30),
               status=ActionStatus.IN_PROGRESS, description="on track", close_requested=True,
               updates=[ActionUpdate(at=datetime(2021, 4, 12, 9, 0), by="mid.coord", on=date(2021, 4, 11),
                                     note="done")]),
        Action(audit="A-1", id="A1", finding_id="F3", owner="CSC", due=None, description="no date"),
        Action(audit="A-1", id="A3", finding_id="F3", owner="GP", due=date(2020, 1, 1),
               status=ActionStatus.COMPLETE, description="closed"),
    ]


def test_rows_soonest_due_first_no_date_last_complete_at_the_end() -> None:
    rows = tracker_rows(_actions(), {"A-1": "First audit"}, TODAY)
    assert [(r.action.audit, r.action.id) for r in rows] == [("B-2", "A1"), ("A-1", "A2"), ("A-1", "A1"),
                                                             ("A-1", "A3")]
    assert [r.rag for r in rows] == [Rag.RED, Rag.GREEN, Rag.AMBER, Rag.COMPLETE]
    assert rows[1].audit_title == "First audit" and rows[0].audit_title == ""
    assert rows[1].last_update == date(2021, 4, 12) and rows[0].last_update is None


def test_filters_by_agency_audit_rag_overdue_and_awaiting_sign_off() -> None:
    def ids(where: TrackerFilter) -> list[str]:
        return [r.action.key for r in tracker_rows(_actions(), {}, TODAY, where)]

    assert ids(TrackerFilter(agency="CSC")) == ["B-2/A1", "A-1/A1"]
    assert ids(TrackerFilter(audit="A-1")) == ["A-1/A2", "A-1/A1", "A-1/A3"]
    assert ids(TrackerFilter(rag=Rag.AMBER)) == ["A-1/A1"]
    assert ids(TrackerFilter(overdue=True)) == ["B-2/A1"]
    assert ids(TrackerFilter(awaiting_sign_off=True)) == ["A-1/A2"]
    assert ids(TrackerFilter(agency="CSC", audit="A-1")) == ["A-1/A1"]
    assert TrackerFilter(agency="CSC", overdue=True).describe() == \
        "agency CSC · every audit · every RAG · overdue only"


def test_counts_and_status_words() -> None:
    rows = tracker_rows(_actions(), {}, TODAY)
    assert counts(rows) == {"open": 3, "overdue": 1, "awaiting sign-off": 1, "complete": 1}
    assert status_text(rows[1].action) == "in progress, close requested"
    signed = Action(audit="A", id="A1", finding_id="F1", status=ActionStatus.COMPLETE,
                    signed_off_at=datetime(2021, 5, 1))
    assert status_text(signed) == "complete (signed off)"


def test_json_shape() -> None:
    doc = tracker_json(tracker_rows(_actions(), {}, TODAY))
    first = doc["actions"][1]
    assert first == {"audit": "A-1", "id": "A2", "recommendation": "F3", "description": "on track", "owner": "MID",
                     "due": "2021-06-30", "status": "in progress", "rag": "green", "close_requested": True,
                     "signed_off_at": None, "last_update": "2021-04-12", "updates": 1}


def test_markdown_has_the_summary_and_each_history_and_no_logins() -> None:
    text = tracker_markdown(tracker_rows(_actions(), {"A-1": "First audit"}, TODAY), "Riverbay",
                            {"MID": "Midwifery"}, TODAY)
    assert text.startswith("# Riverbay: action tracker\n")
    assert "4 actions: 3 open, 1 overdue, 1 awaiting sign-off, 1 complete." in text
    assert "| A-1 | A2 | MID | 30/06/2021 | ● on track | in progress, close requested | 12/04/2021 | on track |" in text
    assert "### A-1 A2: Midwifery" in text
    assert "- **Progress, 11/04/2021.** done" in text
    assert "mid.coord" not in text  # agencies, not staff


def test_hostile_text_stays_text_in_markdown_and_html() -> None:
    action = Action(audit="A-1", id="A1", finding_id="F1", owner="CSC", due=TODAY, description=HOSTILE,
                    updates=[ActionUpdate(at=datetime(2021, 4, 12), by="x", kind=UpdateKind.CLOSE_REQUESTED,
                                          note=HOSTILE, evidence="| a | b |\n# not a heading", impact=HOSTILE)])
    rows = tracker_rows([action], {"A-1": "# <b>title</b> | x"}, TODAY)
    text = tracker_markdown(rows, "P | # <i>", {}, TODAY, TrackerFilter(agency="[x]"))
    assert "\x1b" not in text
    table_rows = [line for line in text.splitlines() if line.startswith("| A-1")]
    assert len(table_rows) == 1 and table_rows[0].count(" | ") == 7  # the description split no cell
    assert not any(line.startswith("# not") for line in text.splitlines())
    page = to_html(text, "tracker")
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<h1>") == 1


def test_who_may_update_and_sign_off() -> None:
    lead = User("rlead", Role.LEAD)
    coord = User("mid.coord", Role.COORDINATOR, ["MID"])
    panel = User("chair", Role.PANEL)
    viewer = User("v", Role.VIEWER)
    assert decide(coord, Act.UPDATE_ACTION, agency="MID")
    refused = decide(coord, Act.UPDATE_ACTION, agency="CSC")
    assert not refused and refused.reason == "mid.coord co-ordinates MID and cannot update CSC's actions."
    assert decide(lead, Act.UPDATE_ACTION, agency="CSC") and decide(lead, Act.SIGN_OFF_ACTION)
    assert decide(panel, Act.SIGN_OFF_ACTION) and decide(panel, Act.EXPORT_TRACKER)
    assert "can ask for it to be closed" in decide(coord, Act.SIGN_OFF_ACTION).reason
    for act in (Act.UPDATE_ACTION, Act.EDIT_BOARD, Act.VIEW_IDENTIFIERS, Act.EDIT_RETURN):
        assert not decide(panel, act), act
        assert "panel member" in decide(panel, act).reason
    assert not decide(viewer, Act.SIGN_OFF_ACTION) and not decide(viewer, Act.UPDATE_ACTION, agency="MID")


def test_panel_role_in_a_partnership_file() -> None:
    _, users = parse_partnership('name = "P"\n[[users]]\nlogin = "chair"\nrole = "panel"\n', source="p.toml")
    assert users[0].role is Role.PANEL and users[0].describe() == "chair · panel member"


def test_only_the_holding_agencys_coordinators_act_on_a_concern() -> None:
    coord = User("csc.coord", Role.COORDINATOR, ["CSC"])
    assert decide(coord, Act.ACT_ON_CONCERN, agency="CSC")
    assert decide(coord, Act.ACT_ON_CONCERN, agency="MID").reason == \
        "csc.coord co-ordinates CSC and cannot record MID's action on a concern."
    assert decide(User("l", Role.LEAD), Act.ACT_ON_CONCERN, agency="MID")
    assert not decide(User("p", Role.PANEL), Act.ACT_ON_CONCERN, agency="MID")
