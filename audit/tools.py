"""Agency audit tools: the template model, loading templates from TOML, and the copy
that goes into an audit.

A template is readable data (``sample_data/templates/<CODE>.toml``).  When fieldwork
starts, :func:`tool_for_audit` makes a deep copy shaped to the audit's objectives and
that copy is stored inside the audit, so editing a template file later never orphans an
answer already given (answers are keyed by question id, grades by objective id).
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from audit.partnership import AGENCY_CODE
from audit.text import strip_control

# Question ids are dictionary keys and appear in locators ("question:<id>"), so they
# stay short and free of spaces and punctuation that would need quoting.
QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
MAX_TEMPLATE_BYTES = 1_000_000

_TOP_KEYS = {"agency", "title", "version", "intro", "sections"}
_SECTION_KEYS = {"objective", "title", "graded", "questions"}
_QUESTION_KEYS = {"id", "text", "guidance"}


@dataclass
class Question:
    id: str
    text: str
    guidance: str = ""


@dataclass
class Section:
    """The questions for one objective of the audit, graded unless ``graded`` is off."""

    objective: str
    title: str
    graded: bool = True
    questions: list[Question] = field(default_factory=list)


@dataclass
class ToolTemplate:
    """One agency's audit tool: a template on disk, or the copy held by an audit."""

    agency: str
    title: str
    version: int = 1
    intro: str = ""
    sections: list[Section] = field(default_factory=list)

    def numbered(self) -> Iterator[tuple[str, Section, Question]]:
        """Every question with its display number ``"2.3"`` (section 2, question 3)."""
        for s, section in enumerate(self.sections, start=1):
            for q, question in enumerate(section.questions, start=1):
                yield f"{s}.{q}", section, question

    def question_ids(self) -> list[str]:
        return [q.id for _, _, q in self.numbered()]

    def section_for(self, objective: str) -> Section | None:
        for section in self.sections:
            if section.objective == objective:
                return section
        return None


# --------------------------------------------------------------------------- loading


def load_template_file(path: str | Path) -> ToolTemplate:
    """Read and check a template file; ``ValueError`` lists every problem found."""
    from audit.files import read_regular_file

    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise ValueError(f"{path}: is larger than {MAX_TEMPLATE_BYTES:,} bytes, too large for an audit tool.")
    try:
        raw = read_regular_file(path, limit=MAX_TEMPLATE_BYTES, what="audit tool template")
    except ValueError as exc:
        raise ValueError(str(exc)) from None  # the sentence already names the file
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: is not UTF-8 text (byte {exc.start} cannot be read).") from None
    return load_template(text, source=str(path))


def load_template(text: str, *, source: str) -> ToolTemplate:
    """Parse and check a template written in TOML.

    Raises ``ValueError`` whose message is one sentence per problem, each starting with
    ``source``, joined by newlines: every problem is listed, not just the first.
    Terminal control bytes in the template's text are removed.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: is not valid TOML ({exc}).") from None
    problems: list[str] = []

    def problem(message: str) -> None:
        problems.append(f"{source}: {message}")

    for key in sorted(set(data) - _TOP_KEYS):
        problem(f"the key {key!r} is not part of a template (expected {_listed(_TOP_KEYS)}).")
    agency = _text(data, "agency", "the template", problem, required=True)
    if agency and not AGENCY_CODE.match(agency):
        problem(
            f"agency {agency!r} is not an agency code (1-10 capital letters or digits, starting with a letter)."
        )
    title = _text(data, "title", "the template", problem, required=True)
    intro = _text(data, "intro", "the template", problem, required=False)
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problem(f"version must be a whole number of 1 or more, not {version!r}.")
        version = 1

    sections: list[Section] = []
    raw_sections = data.get("sections")
    if raw_sections is None:
        problem("the template has no [[sections]]; it needs at least one.")
    elif not _is_table_list(raw_sections):
        problem("sections must be written as [[sections]] tables.")
    elif not raw_sections:
        problem("the template has no [[sections]]; it needs at least one.")
    else:
        seen_objectives: dict[str, int] = {}
        seen_questions: dict[str, str] = {}
        for s, raw in enumerate(raw_sections, start=1):
            section = _load_section(raw, s, problem, seen_questions)
            if section.objective:
                if section.objective in seen_objectives:
                    problem(
                        f"section {s} is for objective {section.objective!r}, "
                        f"which section {seen_objectives[section.objective]} already covers."
                    )
                else:
                    seen_objectives[section.objective] = s
            sections.append(section)

    if problems:
        raise ValueError("\n".join(problems))
    return ToolTemplate(agency=agency, title=title, version=version, intro=intro, sections=sections)


def _load_section(raw: dict[str, Any], s: int, problem: Any, seen_questions: dict[str, str]) -> Section:
    where = f"section {s}"
    for key in sorted(set(raw) - _SECTION_KEYS):
        problem(f"{where} has the key {key!r}, which is not part of a section (expected {_listed(_SECTION_KEYS)}).")
    objective = _text(raw, "objective", where, problem, required=True)
    title = _text(raw, "title", where, problem, required=True)
    graded = raw.get("graded", True)
    if not isinstance(graded, bool):
        problem(f"{where} has graded = {graded!r}; it must be true or false.")
        graded = True
    questions: list[Question] = []
    raw_questions = raw.get("questions")
    if raw_questions is None or (isinstance(raw_questions, list) and not raw_questions):
        problem(f"{where} has no questions; add at least one [[sections.questions]].")
    elif not _is_table_list(raw_questions):
        problem(f"{where} must list its questions as [[sections.questions]] tables.")
    else:
        for q, raw_q in enumerate(raw_questions, start=1):
            qwhere = f"question {s}.{q}"
            for key in sorted(set(raw_q) - _QUESTION_KEYS):
                problem(
                    f"{qwhere} has the key {key!r}, which is not part of a question"
                    f" (expected {_listed(_QUESTION_KEYS)})."
                )
            qid = _text(raw_q, "id", qwhere, problem, required=True)
            text = _text(raw_q, "text", qwhere, problem, required=True)
            guidance = _text(raw_q, "guidance", qwhere, problem, required=False)
            if qid and not QUESTION_ID.match(qid):
                problem(
                    f"{qwhere} has id {qid!r}; use 1-60 letters, digits, '.', '_' or '-',"
                    " starting with a letter or digit."
                )
            elif qid in seen_questions:
                problem(f"{qwhere} has id {qid!r}, which question {seen_questions[qid]} already uses.")
            elif qid:
                seen_questions[qid] = f"{s}.{q}"
            questions.append(Question(id=qid, text=text, guidance=guidance))
    return Section(objective=objective, title=title, graded=graded, questions=questions)


def _text(table: dict[str, Any], key: str, where: str, problem: Any, *, required: bool) -> str:
    """A text value from ``table``, cleaned; reports a missing or non-text value."""
    value = table.get(key)
    if value is None:
        if required:
            problem(f"{where} has no {key}.")
        return ""
    if not isinstance(value, str):
        problem(f"{where} has {key} = {value!r}; it must be text in quotes.")
        return ""
    value = strip_control(value).strip()
    if required and not value:
        problem(f"{where} has an empty {key}.")
    return value


def _listed(keys: set[str]) -> str:
    return ", ".join(sorted(keys))


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


# --------------------------------------------------------------- the copy in an audit

GENERIC_GUIDANCE = (
    "This agency's audit tool has no section for this objective, so these general "
    "questions stand in for one."
)
_GENERIC_QUESTIONS = (
    "Does the agency's record show how its practice addressed “{title}” for this child and family?",
    "Was information relevant to “{title}” shared with partner agencies, and was it acted on?",
    "What difference did the agency's work on “{title}” make for the child?",
)


def generic_section(objective: str, title: str, taken_ids: set[str] | frozenset[str] = frozenset()) -> Section:
    """A graded section of three general questions for an objective a template lacks.

    Ids are ``<objective>-general-<n>``, with a numeric suffix added in the unlikely
    case a template already uses one, so ids stay unique within the tool.
    """
    questions = []
    for n, text in enumerate(_GENERIC_QUESTIONS, start=1):
        qid = _slug(f"{objective}-general-{n}")
        base, extra = qid, 2
        while qid in taken_ids:
            qid, extra = f"{base}-{extra}", extra + 1
        questions.append(Question(id=qid, text=text.format(title=title), guidance=GENERIC_GUIDANCE))
    return Section(objective=objective, title=title, graded=True, questions=questions)


def tool_for_audit(template: ToolTemplate, objectives: list[tuple[str, str]]) -> ToolTemplate:
    """The tool an audit stores: ``template`` cut and ordered to the audit's objectives.

    ``objectives`` are the audit's ``(id, title)`` pairs in the scope's order.  Template
    sections for objectives the audit does not have are left out.  An objective the
    template has no section for gets :func:`generic_section`, three general questions,
    rather than no section at all: every objective is then graded by every agency, so
    the analysis grid has no holes, and the lead can still see which agencies answered
    generic questions (their guidance says so).  The result shares nothing with
    ``template``.
    """
    taken = set(template.question_ids())
    sections: list[Section] = []
    for objective, title in objectives:
        section = template.section_for(objective)
        if section is not None:
            sections.append(copy.deepcopy(section))
        else:
            generic = generic_section(objective, title, taken)
            taken.update(q.id for q in generic.questions)
            sections.append(generic)
    return ToolTemplate(
        agency=template.agency,
        title=template.title,
        version=template.version,
        intro=template.intro,
        sections=sections,
    )


def generic_tool(agency: str, objectives: list[tuple[str, str]], *, title: str = "") -> ToolTemplate:
    """A tool of generic sections only, for an agency that has no template."""
    blank = ToolTemplate(agency=agency, title=title or f"{agency} audit tool")
    return tool_for_audit(blank, objectives)


def tools_for_audit(
    agencies: list[str],
    objectives: list[tuple[str, str]],
    *,
    directory: str | Path | None = None,
    overrides: Mapping[str, str | Path] | None = None,
) -> dict[str, ToolTemplate]:
    """The tools for an audit's agencies, keyed by agency code.

    Each agency's template is ``overrides[code]`` if the scope names one, else
    ``<directory>/<CODE>.toml`` if it exists, else a :func:`generic_tool`.  A named
    template that is missing or bad, or whose ``agency`` is another agency's, is an
    error: ``ValueError`` lists the problems of every file together.
    """
    overrides = overrides or {}
    folder = Path(directory) if directory is not None else None
    tools: dict[str, ToolTemplate] = {}
    problems: list[str] = []
    for code in agencies:
        path: Path | None = Path(overrides[code]) if code in overrides else None
        if path is None and folder is not None and (folder / f"{code}.toml").is_file():
            path = folder / f"{code}.toml"
        if path is None:
            tools[code] = generic_tool(code, objectives)
            continue
        template, found = checked_template(code, path)
        problems += found
        if template is not None:
            tools[code] = tool_for_audit(template, objectives)
    if problems:
        raise ValueError("\n".join(problems))
    return tools


def checked_template(code: str, path: Path) -> tuple[ToolTemplate | None, list[str]]:
    """The template file at ``path`` named for agency ``code``, or ``None`` with every
    problem found (one sentence each, naming the file)."""
    try:
        template = load_template_file(path)
    except ValueError as exc:
        return None, str(exc).splitlines()
    if template.agency != code:
        return None, [f"{path}: is the audit tool for agency {template.agency}, not {code}."]
    return template, []


def _slug(text: str) -> str:
    """``text`` reduced to the characters a question id allows."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "objective"
    return slug[:50]
