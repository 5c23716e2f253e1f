"""Analysis, `a`: the answers to every question of the agencies' audit tools, counted
over each agency's completed returns for the cohort (``Analysis.questions``, the numbers
the report's question tables quote)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from audit.analysis import Analysis, QuestionCount
from audit.grades import Answer
from audit.text import plain

QUESTION_GRID = "question-grid"
ANSWER_STYLE = {Answer.YES: "green", Answer.PARTLY: "yellow", Answer.NO: "bold red", Answer.NA: "dim"}


def row_key(objective: str, q: QuestionCount) -> str:
    return f"{objective}|{q.agency}|{q.question_id}"


def fill_question_grid(grid: DataTable, analysis: Analysis, titles: dict[str, str]) -> None:
    """One row per question: objective, agency, question, then each answer's count."""
    grid.clear(columns=True)
    grid.add_column(Text("Objective"), key="objective", width=16)
    grid.add_column(Text("Agency"), key="agency")
    grid.add_column(Text("Question"), key="question", width=40)
    for answer in Answer:
        grid.add_column(Text(f"{answer.symbol} {answer.value}"), key=f"x:{answer.value}")
    grid.add_column(Text("blank"), key="blank")
    grid.add_column(Text("of"), key="of")
    for n, objective in enumerate(analysis.objectives, start=1):
        label = Text(f"{n} {titles.get(objective, objective)}", no_wrap=True, overflow="ellipsis")
        for q in analysis.questions.get(objective, []):
            counts = [Text(str(q.answers[a]), style=ANSWER_STYLE[a] if q.answers[a] else "dim") for a in Answer]
            grid.add_row(label, Text(q.agency),
                         Text(f"{q.number} {plain(q.text)}", no_wrap=True, overflow="ellipsis"),
                         *counts, Text(str(q.not_answered), style="dim"), Text(str(q.returns)),
                         key=row_key(objective, q))


def find(analysis: Analysis, key: str) -> QuestionCount | None:
    objective, agency, question_id = (key.split("|", 2) + ["", ""])[:3]
    for q in analysis.questions.get(objective, []):
        if q.agency == agency and q.question_id == question_id:
            return q
    return None


def describe_question(analysis: Analysis, key: str, who: str) -> tuple[str, Text, Text]:
    """(title, one-line detail, full body) for a question's row."""
    q = find(analysis, key)
    if q is None:
        return "", Text(""), Text("")
    head = f"{q.agency} {q.number}"
    line = Text(f"{head}: ", style="bold")
    line.append(q.sentence() if q.returns else "no completed return yet")
    body = Text(f"{plain(q.text)}\n\nAnswers in the completed returns of {who}:\n\n")
    for answer in Answer:
        n = q.answers[answer]
        body.append(f"{answer.symbol} {answer.label:<16}{n:>4}  ", style=ANSWER_STYLE[answer] if n else "dim")
        body.append("█" * min(n, 40) + "\n", style=ANSWER_STYLE[answer])
    body.append(f"  {'Not answered':<16}{q.not_answered:>4}\n", style="dim")
    body.append(f"\nIn words: {q.sentence()}." if q.returns else "\nNo completed return yet.")
    return head, line, body
