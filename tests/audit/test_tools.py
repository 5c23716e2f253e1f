"""Audit tool templates: loading from TOML, and the copy an audit keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.codec import from_doc, to_doc
from audit.tools import (
    Question,
    Section,
    ToolTemplate,
    generic_tool,
    load_template,
    load_template_file,
    tool_for_audit,
    tools_for_audit,
)

GOOD = '''
agency = "MID"
title = "Midwifery audit tool"
version = 2
intro = "Look at the maternity record."

[[sections]]
objective = "curiosity"
title = "Professional curiosity"

[[sections.questions]]
id = "mid-curiosity-1"
text = "Was routine enquiry made at booking?"
guidance = "Each contact, not only booking."

[[sections.questions]]
id = "mid-curiosity-2"
text = "Were disclosures followed up?"

[[sections]]
objective = "fathers"
title = "Birth fathers and males in the household"
graded = false

[[sections.questions]]
id = "mid-fathers-1"
text = "Was the father's name recorded?"
'''

OBJECTIVES = [
    ("fathers", "Birth fathers and males in the household"),
    ("unborn", "Safety planning for unborn babies"),
    ("curiosity", "Professional curiosity"),
]


def problems(text: str, source: str = "MID.toml") -> list[str]:
    with pytest.raises(ValueError) as caught:
        load_template(text, source=source)
    return str(caught.value).split("\n")


# ------------------------------------------------------------------------ loading


def test_load_good_template() -> None:
    t = load_template(GOOD, source="MID.toml")
    assert (t.agency, t.title, t.version, t.intro) == (
        "MID", "Midwifery audit tool", 2, "Look at the maternity record."
    )
    assert [s.objective for s in t.sections] == ["curiosity", "fathers"]
    assert [s.graded for s in t.sections] == [True, False]
    assert t.sections[0].questions[0] == Question(
        "mid-curiosity-1", "Was routine enquiry made at booking?", "Each contact, not only booking."
    )
    assert t.sections[0].questions[1].guidance == ""
    assert [n for n, _, _ in t.numbered()] == ["1.1", "1.2", "2.1"]
    assert t.section_for("fathers") is t.sections[1] and t.section_for("nope") is None


def test_load_template_file_names_the_file_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "MID.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_template_file(path).agency == "MID"
    bad = tmp_path / "bad.toml"
    bad.write_text('agency = "MID"\n', encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_template_file(bad)
    lines = str(caught.value).split("\n")
    assert len(lines) == 2 and all(line.startswith(f"{bad}: ") for line in lines)


def test_unreadable_files_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"There is no file .*missing\.toml\.$"):
        load_template_file(tmp_path / "missing.toml")
    with pytest.raises(ValueError, match=r"^/dev/zero is a device, pipe or socket, not a regular file\.$"):
        load_template_file("/dev/zero")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('title = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.toml: is not UTF-8 text"):
        load_template_file(latin)


def test_invalid_toml_is_one_sentence() -> None:
    assert problems("agency = ") [0].startswith("MID.toml: is not valid TOML (")


def test_missing_keys_are_each_listed() -> None:
    assert problems("version = 1") == [
        "MID.toml: the template has no agency.",
        "MID.toml: the template has no title.",
        "MID.toml: the template has no [[sections]]; it needs at least one.",
    ]
    text = 'agency = "MID"\ntitle = "T"\n[[sections]]\n[[sections.questions]]\nguidance = "g"\n'
    assert problems(text) == [
        "MID.toml: section 1 has no objective.",
        "MID.toml: section 1 has no title.",
        "MID.toml: question 1.1 has no id.",
        "MID.toml: question 1.1 has no text.",
    ]


def test_empty_section_and_empty_values() -> None:
    text = 'agency = "MID"\ntitle = "  "\n[[sections]]\nobjective = "a"\ntitle = "A"\nquestions = []\n'
    assert problems(text) == [
        "MID.toml: the template has an empty title.",
        "MID.toml: section 1 has no questions; add at least one [[sections.questions]].",
    ]
    no_questions = 'agency = "MID"\ntitle = "T"\n[[sections]]\nobjective = "a"\ntitle = "A"\n'
    assert problems(no_questions) == [
        "MID.toml: section 1 has no questions; add at least one [[sections.questions]]."
    ]


def test_duplicate_question_ids_and_objectives() -> None:
    text = GOOD.replace('"mid-fathers-1"', '"mid-curiosity-1"').replace('"fathers"', '"curiosity"')
    assert problems(text) == [
        "MID.toml: question 2.1 has id 'mid-curiosity-1', which question 1.1 already uses.",
        "MID.toml: section 2 is for objective 'curiosity', which section 1 already covers.",
    ]


def test_wrong_types_are_each_listed() -> None:
    text = '''
agency = 7
title = "T"
version = "one"
intro = ["x"]
sections = "curiosity"
'''
    assert problems(text) == [
        "MID.toml: the template has agency = 7; it must be text in quotes.",
        "MID.toml: the template has intro = ['x']; it must be text in quotes.",
        "MID.toml: version must be a whole number of 1 or more, not 'one'.",
        "MID.toml: sections must be written as [[sections]] tables.",
    ]
    text = '''
agency = "MID"
title = "T"
version = true
[[sections]]
objective = "a"
title = "A"
graded = "yes"
questions = ["Was the child seen?"]
'''
    assert problems(text) == [
        "MID.toml: version must be a whole number of 1 or more, not True.",
        "MID.toml: section 1 has graded = 'yes'; it must be true or false.",
        "MID.toml: section 1 must list its questions as [[sections.questions]] tables.",
    ]


def test_bad_codes_ids_and_unknown_keys() -> None:
    text = '''
agency = "midwifery team"
title = "T"
colour = "red"
[[sections]]
objective = "a"
title = "A"
grade = true
[[sections.questions]]
id = "has space"
text = "Q"
hint = "typo for guidance"
'''
    assert problems(text) == [
        "MID.toml: the key 'colour' is not part of a template (expected agency, intro, sections, title, version).",
        "MID.toml: agency 'midwifery team' is not an agency code (1-10 capital letters or digits, starting with a letter).",
        "MID.toml: section 1 has the key 'grade', which is not part of a section (expected graded, objective, questions, title).",
        "MID.toml: question 1.1 has the key 'hint', which is not part of a question (expected guidance, id, text).",
        "MID.toml: question 1.1 has id 'has space'; use 1-60 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    ]


def test_control_bytes_removed_and_markup_kept() -> None:
    text = GOOD.replace("Was routine enquiry made at booking?", "[bold]Was\\u001b[31m it | <b>?")
    t = load_template(text, source="MID.toml")
    assert t.sections[0].questions[0].text == "[bold]Was it | <b>?"


# ------------------------------------------------------------- the copy in an audit


def test_tool_for_audit_follows_the_audit_objectives() -> None:
    template = load_template(GOOD, source="MID.toml")
    tool = tool_for_audit(template, OBJECTIVES)
    assert [s.objective for s in tool.sections] == ["fathers", "unborn", "curiosity"]
    assert (tool.agency, tool.title, tool.version, tool.intro) == (
        template.agency, template.title, template.version, template.intro
    )
    assert tool.sections[0] == template.sections[1]
    assert tool.sections[2] == template.sections[0]


def test_objectives_the_audit_lacks_are_dropped() -> None:
    tool = tool_for_audit(load_template(GOOD, source="MID.toml"), [("curiosity", "Curiosity")])
    assert [s.objective for s in tool.sections] == ["curiosity"]


def test_missing_objective_gets_a_generic_graded_section() -> None:
    tool = tool_for_audit(load_template(GOOD, source="MID.toml"), OBJECTIVES)
    generic = tool.sections[1]
    assert (generic.objective, generic.title, generic.graded) == (
        "unborn", "Safety planning for unborn babies", True
    )
    assert [q.id for q in generic.questions] == ["unborn-general-1", "unborn-general-2", "unborn-general-3"]
    assert all("“Safety planning for unborn babies”" in q.text for q in generic.questions)
    assert all("no section for this objective" in q.guidance for q in generic.questions)
    ids = tool.question_ids()
    assert len(ids) == len(set(ids)) == 6


def test_generic_ids_never_clash_with_template_ids() -> None:
    text = GOOD.replace('"mid-fathers-1"', '"unborn-general-2"')
    tool = tool_for_audit(load_template(text, source="MID.toml"), OBJECTIVES)
    assert [q.id for q in tool.sections[1].questions] == [
        "unborn-general-1", "unborn-general-2-2", "unborn-general-3"
    ]


def test_generic_tool_for_an_agency_without_a_template() -> None:
    tool = generic_tool("POL", OBJECTIVES)
    assert tool.agency == "POL" and tool.title == "POL audit tool"
    assert [len(s.questions) for s in tool.sections] == [3, 3, 3]


def test_the_copy_is_isolated_from_later_template_edits() -> None:
    template = load_template(GOOD, source="MID.toml")
    tool = tool_for_audit(template, OBJECTIVES)
    before = to_doc(tool)
    template.sections[0].questions[0].text = "Edited later"
    template.sections[0].questions.append(Question("new", "New question"))
    template.sections[1].title = "Renamed"
    template.sections.clear()
    template.intro = "changed"
    assert to_doc(tool) == before


def test_tool_round_trips_through_the_codec() -> None:
    tool = tool_for_audit(load_template(GOOD, source="MID.toml"), OBJECTIVES)
    assert from_doc(ToolTemplate, to_doc(tool)) == tool


def test_tools_for_audit_picks_files_overrides_and_generic(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "MID.toml").write_text(GOOD, encoding="utf-8")
    own = tmp_path / "our-hv.toml"
    (own).write_text(GOOD.replace('"MID"', '"HV"'), encoding="utf-8")
    tools = tools_for_audit(["MID", "HV", "POL"], OBJECTIVES, directory=folder, overrides={"HV": own})
    assert list(tools) == ["MID", "HV", "POL"]
    assert tools["MID"].title == "Midwifery audit tool"
    assert tools["HV"].agency == "HV"
    assert tools["POL"] == generic_tool("POL", OBJECTIVES)


def test_tools_for_audit_lists_problems_of_every_file(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(GOOD, encoding="utf-8")  # a MID template named for HV
    with pytest.raises(ValueError) as caught:
        tools_for_audit(
            ["HV", "GP"], OBJECTIVES, overrides={"HV": wrong, "GP": tmp_path / "gone.toml"}
        )
    lines = str(caught.value).split("\n")
    assert lines[0] == f"{wrong}: is the audit tool for agency MID, not HV."
    assert lines[1] == f"There is no file {tmp_path / 'gone.toml'}."


def test_demo_templates_load_when_present() -> None:
    folder = Path(__file__).resolve().parents[2] / "sample_data" / "templates"
    for path in sorted(folder.glob("*.toml")):
        template = load_template_file(path)
        assert template.agency == path.stem
        assert all(3 <= len(s.questions) <= 6 for s in template.sections), path


def test_hand_built_sections_default_to_graded() -> None:
    assert Section("a", "A").graded is True and Section("a", "A").questions == []
