"""`maca --db` in a real terminal: complete and submit a whole return by keyboard only,
then find it submitted, with its answers, in the workspace file.

Each key that moves the focus is followed by a look at the screen before the next one,
as a person would look: a terminal delivers keys faster than any app can move focus.
"""

from __future__ import annotations

import json
from pathlib import Path

from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.returns import cohort_refs, tool_for
from tests.terminal.tmux import MACA, Terminal, isolated_env
from tests.workspace_files import on_disk

EDITING = "▊ ✎ "  # the editor's label (✎ Evidence: saved as you type…), shown only while editing


def test_complete_and_submit_a_return_by_keyboard(tmp_path: Path) -> None:
    ws = build_demo(tmp_path / "w.json", os_login())  # this login is the demo's lead
    case = cohort_refs(ws, DEMO_AUDIT)[0]
    tool = tool_for(ws, DEMO_AUDIT, "MID")
    total = len(tool.question_ids())
    env = isolated_env(tmp_path)
    term = Terminal([MACA, "--db", str(ws.path)], env)

    def move_to(title: str) -> None:
        """j, then wait until the detail pane shows the row titled ``title``."""
        term.keys("j")
        term.wait_for(f"▊ {title}")

    def type_into(text: str, done: str = "Escape") -> None:
        """e, type ``text`` once the editor is open, then close it with ``done``."""
        term.keys("e")
        term.wait_for(EDITING)
        term.keys(text, literal=True)
        term.keys(done)
        term.wait_for(lambda screen: EDITING not in screen)

    answered = 0

    def answer(key: str) -> None:
        nonlocal answered
        answered += 1
        term.keys(key)
        term.wait_for(f"{answered}/{total} answered")

    try:
        term.wait_for("MACA-C86")
        term.keys("Enter")
        term.wait_for("▸1 Scope")
        term.keys("3")
        term.wait_for("Returns due 30/04/2021")
        term.keys("l")
        term.keys("Enter")  # the first case's MID return
        term.wait_for(f"Case {case} · Midwifery (MID)")
        term.wait_for("▊ Involved with the child or family?")

        term.keys("y")  # involved: yes
        term.wait_for("Involved with the child or family?: Yes")
        move_to("Period of involvement")
        type_into("January to September 2020", done="Enter")
        move_to("Nature of involvement")
        move_to("Summary")
        move_to("Auditor's name")
        type_into("Mira Midwell", done="Enter")
        move_to("Auditor's role")
        type_into("Named midwife", done="Enter")
        move_to("Date completed")  # left empty: submission fills in today's date

        numbers = {q.id: n for n, _, q in tool.numbered()}
        for s, section in enumerate(tool.sections, start=1):
            move_to(f"Section {s} · ")
            term.keys(str(2 if s % 2 else 3))  # good, then requires improvement, alternately
            term.wait_for("Grade: ✓ Good" if s % 2 else "Grade: ! Requires improvement")
            type_into(f"Rationale for section {s}")
            for q, question in enumerate(section.questions, start=1):
                move_to(f"Question {numbers[question.id]} · ")
                if q == 1:  # the first question of each section: yes, with evidence
                    answer("y")
                    type_into(f"Evidence {s}.1 [b]not markup[/b]")
                else:
                    answer("x")
        move_to("Good practice")
        move_to("Areas for development")
        move_to("Difference made for the child")
        type_into("The baby had a safety plan before birth.")
        term.wait_for("saved ")

        term.keys("C-s")
        term.wait_for("Submit this return?")
        term.keys("y")
        term.wait_for("Submitted: the lead sees it now")
        term.wait_for("⊘ Read only")
        term.keys("Escape")
        term.wait_for("✓ 26/26")  # back in the grid, the cell shows it received
        term.keys("C-q")
        term.wait_for("MACA-EXITED 0")
    finally:
        term.close()

    data = on_disk(ws.path)
    found = [d for d in data["returns"].values() if (d["case_ref"], d["agency"]) == (case, "MID")]
    assert len(found) == 1
    ret = found[0]
    assert ret["status"] == "submitted" and ret["submitted_at"]
    assert ret["involved"] is True and ret["auditor_name"] == "Mira Midwell"
    assert ret["auditor_role"] == "Named midwife"
    assert ret["involvement_period"] == "January to September 2020"
    assert ret["impact_on_child"] == "The baby had a safety plan before birth."
    assert ret["completed_on"]  # filled in on submission
    first = tool.sections[0].questions[0].id
    assert ret["answers"][first] == {"answer": "yes", "evidence": "Evidence 1.1 [b]not markup[/b]"}
    assert sum(1 for a in ret["answers"].values() if a["answer"] == "n/a") == total - len(tool.sections)
    assert ret["sections"]["curiosity"] == {"grade": "good", "rationale": "Rationale for section 1"}
    assert ret["sections"][tool.sections[1].objective]["grade"] == "requires improvement"
