"""The 7-minute briefing (issue 19 item 4): seven headings pre-filled from the findings,
the lead's words escaped for Markdown and HTML and recorded for the guard."""

from __future__ import annotations

from datetime import date

from audit.briefing import HEADINGS, Briefing, Dissemination, briefing_markdown, dissemination_problems, prefill, texts
from audit.findings import Action, Column, Finding
from audit.html import to_html
from audit.partnership import Partnership
from audit.scope import Audit, Objective

HOSTILE = "[bold]x[/] | # <html><script>alert(1)</script> \x1b[31m"
TODAY = date(2021, 6, 1)


def _audit() -> Audit:
    return Audit(ref="MACA-C86", title="Unborn babies", background="First paragraph.\n\nSecond one.",
                 purpose=["Test whether pre-birth work starts early"],
                 objectives=[Objective("curiosity", "Professional curiosity")], linked_review="C86")


def _findings() -> list[Finding]:
    return [Finding("MACA-C86", "F1", Column.STRENGTH, title="Health visitors saw the child"),
            Finding("MACA-C86", "F2", Column.DEVELOPMENT, title="Fathers were not assessed"),
            Finding("MACA-C86", "F3", Column.RECOMMENDATION, title="Assess every adult in the household"),
            Finding("MACA-C86", "F4", Column.STRENGTH, title="A proposal", proposed=True)]


def test_the_seven_headings_are_prefilled_from_the_findings() -> None:
    filled = prefill(_audit(), _findings(), [Action("MACA-C86", "A1", "F3", owner="CSC")])
    assert list(filled) == [key for key, _ in HEADINGS]
    assert filled["background"] == "First paragraph. It follows review C86."
    assert filled["why"] == "- Test whether pre-birth work starts early"
    assert filled["found"] == "- Strength: Health visitors saw the child\n- To develop: Fathers were not assessed"
    assert filled["good"] == "- Health visitors saw the child"
    assert filled["change"] == "- Assess every adult in the household (CSC)"
    assert "- Professional curiosity: what does it look like in a family you work with now?" in filled["questions"]
    assert "A proposal" not in "".join(filled.values())  # a co-ordinator's proposal is not agreed learning


def test_saved_words_win_over_the_draft_heading_by_heading() -> None:
    filled = {"background": "draft", "why": "draft why"}
    assert texts(Briefing("X", {"why": "mine"}), filled)["why"] == "mine"
    assert texts(Briefing("X", {"why": "mine"}), filled)["background"] == "draft"


def test_the_page_has_seven_numbered_headings_and_the_marking() -> None:
    page = briefing_markdown(_audit(), Partnership(name="Riverbay"), prefill(_audit(), _findings(), []), TODAY)
    lines = page.markdown.splitlines()
    assert lines[0] == "**OFFICIAL-SENSITIVE**" and lines[-1] == "**OFFICIAL-SENSITIVE**"
    assert [line for line in lines if line.startswith("## ")] == [
        "## 1. Background", "## 2. Why it matters", "## 3. What we found", "## 4. What good looks like",
        "## 5. What needs to change", "## 6. Questions for practitioners", "## 7. Where to find more"]
    assert "- Health visitors saw the child" in lines


def test_hostile_text_in_every_section_stays_text() -> None:
    sections = {key: f"{HOSTILE}\n- {HOSTILE}\n# not a heading" for key, _ in HEADINGS}
    audit = _audit()
    audit.title = HOSTILE
    page = briefing_markdown(audit, Partnership(name=HOSTILE, marking=HOSTILE), sections, TODAY)
    md = page.markdown
    assert "\x1b" not in md
    assert "<script>" not in md and "<html>" not in md
    assert not any(line.startswith("# not") for line in md.splitlines())
    assert "\\|" in md or "&#124;" in md
    html = to_html(md, "t")
    assert "<script>" not in html and "<html><script>" not in html
    assert "\x1b" not in html
    # Every section's words are recorded for the identifier guard, with its place.
    labels = {q.place.label for q in page.quoted}
    assert {f"briefing, {title.lower()}" for _, title in HEADINGS} <= labels


def test_a_delivery_needs_a_date_and_an_agency() -> None:
    d = Dissemination("X", "L1", agencies=["NOPE"], reached=-1, note="n" * 501)
    assert dissemination_problems(d, ["CSC"]) == [
        "Give the date it was delivered.", "Unknown agency NOPE.",
        "The number reached must be a whole number from 0 to 100,000.", "The note is longer than 500 characters."]
    assert dissemination_problems(Dissemination("X", "L1", held_on=TODAY, agencies=["CSC"]), ["CSC"]) == []
