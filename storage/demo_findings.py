"""The demo audit's first discussions, findings and SMART actions, so the board looks alive.

Deterministic: fixed dates, fixed text, fixed ids.  On the demo's fixed "today" of
20/04/2021 action A1 is overdue (red) and A2 is on track (green); the live demo moves
every date by the same `shift` so that the story happens now (see storage.demo).  Every person and
case here is fictional.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from audit.findings import Action, ActionStatus, ActionUpdate, Attendee, Column, Discussion, Finding
from audit.grades import Grade
from audit.scope import Audit
from storage.workspace import Transaction, Workspace

_WELL_1 = [
    "Midwifery shared the domestic abuse disclosed at booking with children's services the same day.",
    "The health visitor kept seeing the older child at home through lockdown and recorded what she said.",
]
_LESS_1 = [
    "Nobody asked who else lived in or visited the home: the mother's partner was unknown to every agency "
    "until after the birth, because each assessment was about the older child.",
    "The pre-birth assessment started at 34 weeks; the referral named only the older sibling.",
]
_WELL_2 = ["The GP and adult mental health shared the mother's perinatal history before the birth."]
_LESS_2 = [
    "Children's services and the police disagreed about the threshold for a strategy discussion and "
    "nobody used the escalation policy, so the disagreement lasted six weeks.",
]


def _findings(ref: str, first: str, second: str, shift: timedelta) -> list[Finding]:
    both = [first, second]
    rows = [
        ("F1", Column.STRENGTH, 0, "Domestic abuse disclosed at booking was shared the same day", "curiosity",
         both, ["MID", "CSC"], False, _WELL_1[0]),
        ("F2", Column.STRENGTH, 1, "Children were still seen at home during lockdown", "covid",
         [first], ["HV", "EY"], False, _WELL_1[1]),
        ("F3", Column.DEVELOPMENT, 0, "Men in the household were not identified or assessed", "fathers",
         both, ["CSC", "HV", "GP", "POL"], False, _LESS_1[0]),
        ("F4", Column.DEVELOPMENT, 1, "Pre-birth assessments started late", "unborn",
         [first], ["CSC", "MID"], False, _LESS_1[1]),
        ("F5", Column.RECOMMENDATION, 0, "Ask about every adult in the household at every assessment", "fathers",
         both, ["CSC", "MID", "HV"], False,
         "Every agency's assessment records who lives in and who visits the home, and checks them with the others."),
        ("F6", Column.RECOMMENDATION, 1, "Use the escalation policy when a threshold is disputed", "escalation",
         [second], ["CSC", "POL"], True, _LESS_2[0]),
    ]
    return [
        Finding(audit=ref, id=fid, column=column, position=position, title=title, objective=objective,
                cases=cases, agencies=agencies, proposed=proposed, text=text,
                source=f"discussion of {cases[0]}",
                created_by="csc.coord" if proposed else "rlead", created_at=datetime(2021, 4, 16, 11, int(fid[1:])) + shift)
        for fid, column, position, title, objective, cases, agencies, proposed, text in rows
    ]


def add_demo_discussions(tx_or_ws: Transaction | Workspace, audit: Audit, case_refs: list[str],
                         shift: timedelta = timedelta(0)) -> None:
    """Two case discussions, six findings (one proposed by a co-ordinator) and two actions.

    ``case_refs`` is the cohort in reference order; the first two are discussed.  Pass
    the transaction that builds the demo, or a workspace (one transaction is opened).
    """
    if isinstance(tx_or_ws, Workspace):
        with tx_or_ws.transaction() as tx:
            add_demo_discussions(tx, audit, case_refs, shift)
        return
    tx = tx_or_ws
    if len(case_refs) < 2:
        raise ValueError("The demo discussions need two cohort cases.")
    first, second = case_refs[0], case_refs[1]
    ref = audit.ref
    attendees = [
        Attendee("", "Chair, partnership QA lead", "Rosa Lead"),
        Attendee("CSC", "Team manager"),
        Attendee("MID", "Safeguarding midwife"),
        Attendee("HV", "Health visitor"),
        Attendee("POL", "Detective sergeant"),
    ]
    discussions = [
        Discussion(audit=ref, subject=first, held_on=date(2021, 4, 12) + shift, attendees=attendees,
                   agreed_grades={"curiosity": Grade.REQUIRES_IMPROVEMENT, "fathers": Grade.INADEQUATE,
                                  "unborn": Grade.REQUIRES_IMPROVEMENT, "covid": Grade.GOOD},
                   worked_well=list(_WELL_1), worked_less_well=list(_LESS_1),
                   updated_by="rlead", updated_at=datetime(2021, 4, 12, 15, 0) + shift),
        Discussion(audit=ref, subject=second, held_on=date(2021, 4, 15) + shift,
                   attendees=[attendees[0], attendees[1], Attendee("GP", "Named GP"), Attendee("AMH", "Care co-ordinator"),
                              attendees[4]],
                   agreed_grades={"escalation": Grade.INADEQUATE, "maternal_mh": Grade.GOOD},
                   worked_well=list(_WELL_2), worked_less_well=list(_LESS_2),
                   updated_by="rlead", updated_at=datetime(2021, 4, 15, 15, 0) + shift),
    ]
    for d in discussions:
        tx.insert(d, summary=f"recorded the discussion of {d.subject} (demo)")
    for f in _findings(ref, first, second, shift):
        tx.insert(f, summary=f"added {f.column.value} {f.id} (demo)")
    actions = [
        Action(audit=ref, id="A1", finding_id="F5", owner="CSC", due=date(2021, 4, 16) + shift, status=ActionStatus.AGREED,
               description="Add 'who lives here and who visits' to the single assessment template and brief "
                           "every social work team."),
        Action(audit=ref, id="A2", finding_id="F5", owner="MID", due=date(2021, 6, 30) + shift,
               status=ActionStatus.IN_PROGRESS,
               description="Ask about the mother's partner at booking and at 28 weeks and share his details "
                           "with the GP and health visitor.",
               progress_note="Booking template changed; 28-week prompt due in May.",
               updates=[ActionUpdate(at=datetime(2021, 4, 12, 16, 5) + shift, by="mid.coord", on=date(2021, 4, 12) + shift,
                                     note="Booking template changed; 28-week prompt due in May.",
                                     evidence="Revised booking template v3 circulated to community midwives.")]),
    ]
    for a in actions:
        tx.insert(a, summary=f"added action {a.id} (demo)")
