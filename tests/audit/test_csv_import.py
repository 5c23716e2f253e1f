"""Candidate cases CSV (DESIGN §6): what is accepted, and every problem as a person sees it."""

import csv
import sys
import threading
from datetime import date

import pytest

from audit.cases import Engagement
from audit.csv_import import COLUMNS, MAX_PROBLEMS, ImportResult, Problem, parse_candidates

CODES = ["CSC", "MID", "HV", "GP", "ASM", "AMH", "EY", "POL"]
FULL_HEADER = ",".join(COLUMNS)


def load(text: str | bytes, *, existing: set[str] | None = None, codes: list[str] = CODES,
         **kwargs) -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_candidates(data, audit="MACA-C86", agency_codes=codes,
                            existing_refs=existing or set(), **kwargs)


def problems(text: str | bytes, **kwargs) -> list[str]:
    """The problems a person reads; also checks that nothing would be imported."""
    result = load(text, **kwargs)
    assert not result.ok
    assert result.cases == []
    return [str(p) for p in result.problems]


# --- what is accepted ----------------------------------------------------------------------


def test_a_full_row_becomes_a_case() -> None:
    text = (
        f"{FULL_HEADER}\n"
        "C-001,yes,2,no,Y,true,1,CSC:2020-02-01..2020-11-30; POL:03/05/2020..,Smith,09/04/2016,"
        "NHS 485 777 3456,nominated by CSC,Female,white - irish,CPP\n"
    )
    result = load(text)
    assert result.ok and result.rows == 1 and result.problems == []
    [case] = result.cases
    assert case.key == "MACA-C86/C-001"
    assert (case.unborn, case.older_siblings, case.domestic_abuse, case.substance_misuse,
            case.maternal_mental_health, case.males_in_household) == (True, 2, False, True, True, 1)
    assert case.engagement == [
        Engagement("CSC", date(2020, 2, 1), date(2020, 11, 30)),
        Engagement("POL", date(2020, 5, 3), None),
    ]
    assert (case.family_name, case.child_dob, case.system_ids, case.notes) == (
        "Smith", date(2016, 4, 9), "NHS 485 777 3456", "nominated by CSC")
    assert (case.gender, case.ethnicity, case.level_of_intervention) == (
        "female", "White: Irish", "child protection")
    assert case.in_cohort is False and case.rev == 0


def test_blank_values_are_unknown_not_no() -> None:
    [case] = load(f"{FULL_HEADER}\nC1,,,,,,,,,,,,,,\n").cases
    assert case.unborn is None and case.older_siblings is None
    assert case.males_in_household is None and case.child_dob is None
    assert case.engagement is None
    assert case.family_name == case.system_ids == case.notes == ""
    assert case.gender == case.ethnicity == case.level_of_intervention == ""


def test_only_case_ref_is_required_and_columns_come_in_any_order() -> None:
    result = load("notes,case_ref\nfirst,C1\n,C2\n")
    assert [(c.case_ref, c.notes, c.unborn) for c in result.cases] == [
        ("C1", "first", None), ("C2", "", None)]


@pytest.mark.parametrize("word, value", [
    ("yes", True), ("YES", True), ("Y", True), ("y", True), ("true", True), ("True", True),
    ("1", True), ("no", False), ("No", False), ("N", False), ("false", False), ("FALSE", False),
    ("0", False), ("", None), ("  ", None), (" yes ", True),
])
def test_yes_no_words(word: str, value: bool | None) -> None:
    [case] = load(f"case_ref,unborn,domestic_abuse\nC1,{word},{word}\n").cases
    assert case.unborn is value and case.domestic_abuse is value


def test_engagement_none_and_blank_differ() -> None:
    result = load("case_ref,engagement\nC1,none\nC2,NONE\nC3,\nC4, None \n")
    assert [c.engagement for c in result.cases] == [[], [], None, []]


def test_engagement_forms() -> None:
    text = ("case_ref,engagement\n"
            'C1,"csc : 01/02/2020 .. 30/11/2020 ;pol:2020-05-03..;"\n'
            "C2,HV:2020-01-01..2020-01-01\n")
    first, second = load(text).cases
    assert first.engagement == [Engagement("CSC", date(2020, 2, 1), date(2020, 11, 30)),
                                Engagement("POL", date(2020, 5, 3))]
    assert second.engagement == [Engagement("HV", date(2020, 1, 1), date(2020, 1, 1))]


def test_agency_codes_match_the_workspace_case_insensitively() -> None:
    [case] = load("case_ref,engagement\nC1,Csc:2020-01-01..\n", codes=["csc"]).cases
    assert case.engagement == [Engagement("CSC", date(2020, 1, 1))]


def test_bom_crlf_blank_lines_trimmed_names_and_values() -> None:
    text = ("\ufeff Case_Ref , UNBORN ,Older_Siblings\r\n"
            "\r\n"
            "  C1  , Yes , 3 \r\n"
            "\r\n"
            ",,\r\n"
            "   \r\n"
            "C2,n,0\r\n")
    result = load(text.encode("utf-8"))
    assert result.ok and result.rows == 2
    assert [(c.case_ref, c.unborn, c.older_siblings) for c in result.cases] == [
        ("C1", True, 3), ("C2", False, 0)]


def test_header_only_is_refused_as_probably_the_wrong_file() -> None:
    result = load("case_ref,unborn\r\n")
    assert not result.ok and result.cases == [] and result.rows == 0
    assert [str(p) for p in result.problems] == ["line 1, column \"case_ref\": the file has a header row but no cases"]


def test_hostile_text_is_kept_as_typed_minus_control_bytes() -> None:
    text = ("case_ref,family_name,system_ids,notes\n"
            'C1,[/b]Smith[bold],| NHS # 123 |,"<script>alert(1)</script> # heading\n'
            '> quote \x1b[31mred\x1b[0m \x1b]0;title\x07bell\x07 done"\n')
    [case] = load(text).cases
    assert case.family_name == "[/b]Smith[bold]"
    assert case.system_ids == "| NHS # 123 |"
    assert case.notes == "<script>alert(1)</script> # heading\n> quote red bell done"


def test_quoted_line_breaks_keep_later_line_numbers_right() -> None:
    text = ("case_ref,notes,unborn\n"          # line 1
            'C1,"first\nsecond\nthird",yes\n'  # lines 2-4
            "C2,plain,perhaps\n"               # line 5
            'C3,"one\r\ntwo",maybe\n')         # lines 6-7: unborn is on line 7
    assert problems(text) == [
        'line 5, column "unborn": "perhaps" is not yes or no; use yes, no, y, n, true, false, '
        "1 or 0, or leave it blank",
        'line 7, column "unborn": "maybe" is not yes or no; use yes, no, y, n, true, false, '
        "1 or 0, or leave it blank",
    ]


def test_progress_is_reported_up_to_the_end() -> None:
    seen: list[tuple[int, int]] = []
    rows = "".join(f"C{i},yes\n" for i in range(50))
    load("case_ref,unborn\n" + rows, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (50, 50)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# --- every problem of §6, each with its line and column -----------------------------------

EXPECTED = ("case_ref, unborn, older_siblings, domestic_abuse, substance_misuse, "
            "maternal_mental_health, males_in_household, engagement, family_name, child_dob, "
            "system_ids, notes, gender, ethnicity or level_of_intervention")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("case_ref,famly_name\nC1,Smith\n",
         [f'line 1, column 2: unknown column "famly_name"; expected one of {EXPECTED}']),
        ("case_ref,unborn, Unborn \nC1,yes,no\n",
         ["line 1, column \"unborn\": repeated column (it is also column 2)"]),
        ("ref,unborn\nC1,yes\n",
         [f'line 1, column 1: unknown column "ref"; expected one of {EXPECTED}',
          "line 1, column \"case_ref\": required column is missing"]),
        ("unborn\nyes\n", ["line 1, column \"case_ref\": required column is missing"]),
        ("case_ref,,unborn\nC1,,yes\n",
         [f"line 1, column 2: the column has no name; expected one of {EXPECTED}"]),
        ("", ["line 1, column \"case_ref\": the file is empty; expected a header row naming the "
              "columns, starting with case_ref"]),
        ("\r\n\r\n", ["line 1, column \"case_ref\": the file is empty; expected a header row naming "
                      "the columns, starting with case_ref"]),
    ],
)
def test_header_problems(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


@pytest.mark.parametrize(
    "row, expected",
    [
        (",yes", "line 2, column \"case_ref\": a case reference is required"),
        ("C 1,yes", 'line 2, column "case_ref": "C 1" is not a valid case reference; use 1 to 40 '
                    "letters, digits, -, _ or /"),
        ("C" * 41 + ",yes", f'line 2, column "case_ref": "{"C" * 41}" is not a valid case '
                            "reference; use 1 to 40 letters, digits, -, _ or /"),
        ("C1,perhaps", 'line 2, column "unborn": "perhaps" is not yes or no; use yes, no, y, n, '
                       "true, false, 1 or 0, or leave it blank"),
    ],
)
def test_row_problems(row: str, expected: str) -> None:
    assert problems(f"case_ref,unborn\n{row}\n") == [expected]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("-1", 'line 2, column "older_siblings": a count cannot be negative (found "-1")'),
        ("2.5", 'line 2, column "older_siblings": "2.5" is not a whole number; use 0 or more, '
                "or leave it blank"),
        ("two", 'line 2, column "older_siblings": "two" is not a whole number; use 0 or more, '
                "or leave it blank"),
        ("1234567", 'line 2, column "older_siblings": "1234567" is too large for a count'),
        ("²", 'line 2, column "older_siblings": "²" is not a whole number; use 0 or more, '
              "or leave it blank"),
    ],
)
def test_count_problems(value: str, expected: str) -> None:
    assert problems(f"case_ref,older_siblings\nC1,{value}\n") == [expected]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("31/02/2020", 'line 2, column "child_dob": "31/02/2020" is not a real date'),
        ("2020-02-30", 'line 2, column "child_dob": "2020-02-30" is not a real date'),
        ("02/31/2020", 'line 2, column "child_dob": "02/31/2020" is not a real date'),
        ("9 April 2016", 'line 2, column "child_dob": "9 April 2016" is not a date; use '
                         "YYYY-MM-DD or DD/MM/YYYY"),
    ],
)
def test_date_problems(value: str, expected: str) -> None:
    assert problems(f"case_ref,child_dob\nC1,{value}\n") == [expected]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("XYZ:2020-01-01..2020-02-01",
         ['unknown agency "XYZ" in "XYZ:2020-01-01..2020-02-01"; expected one of AMH, ASM, CSC, '
          "EY, GP, HV, MID or POL"]),
        ("CSC:2020-11-30..2020-02-01",
         ['"CSC:2020-11-30..2020-02-01" starts on 30/11/2020, after it ends on 01/02/2020']),
        ("CSC:31/02/2020..2020-11-30",
         ['"CSC:31/02/2020..2020-11-30" has a bad start date: "31/02/2020" is not a real date']),
        ("CSC:2020-01-01..2020/11/30",
         ['"CSC:2020-01-01..2020/11/30" has a bad end date: "2020/11/30" is not a date; use '
          "YYYY-MM-DD or DD/MM/YYYY"]),
        ("CSC:..2020-11-30", ['"CSC:..2020-11-30" has no start date; write AGENCY:START..END']),
        ("CSC 2020-01-01", ['"CSC 2020-01-01" is not an engagement entry; write '
                            "AGENCY:START..END, for example CSC:2020-02-01..2020-11-30"]),
        ("none; CSC:2020-01-01..", ['"none" cannot be mixed with engagement entries; write none '
                                    "alone or list the entries"]),
        (";", ['no engagement is listed; write AGENCY:START..END entries separated by ";", '
               "or none"]),
        # every problem in the cell is listed, each as its own sentence
        ("XYZ:2020-12-01..2020-01-01; CSC:2020-01-01..",
         ['unknown agency "XYZ" in "XYZ:2020-12-01..2020-01-01"; expected one of AMH, ASM, CSC, '
          "EY, GP, HV, MID or POL",
          '"XYZ:2020-12-01..2020-01-01" starts on 01/12/2020, after it ends on 01/01/2020']),
    ],
)
def test_engagement_problems(value: str, expected: list[str]) -> None:
    assert problems(f'case_ref,engagement\nC1,"{value}"\n') == [
        f"line 2, column \"engagement\": {message}" for message in expected]


def test_duplicate_references_in_the_file() -> None:
    text = "case_ref,unborn\nC1,yes\nC2,no\nC1,no\nc2,yes\n"
    assert problems(text) == [
        'line 4, column "case_ref": duplicate case reference "C1" (also on line 2)',
        'line 5, column "case_ref": case reference "c2" differs only in letter case from "C2" '
        "on line 3",
    ]


def test_references_already_in_the_audit() -> None:
    text = "case_ref\nC1\nc2\nC3\n"
    assert problems(text, existing={"C1", "C2"}) == [
        'line 2, column "case_ref": case reference "C1" is already in the audit',
        'line 3, column "case_ref": case reference "c2" differs only in letter case from "C2", '
        "already in the audit",
    ]


def test_undecodable_byte_names_its_line_and_column() -> None:
    data = "case_ref,family_name\r\nC1,Smith\r\nC2,".encode() + b"Br\xe9e\r\nC3,Jones\r\n"
    assert problems(data) == [
        "line 3, column \"family_name\": contains a byte that is not UTF-8 (0xE9); save the file "
        "as UTF-8 and import it again"]


def test_undecodable_byte_in_the_header() -> None:
    assert problems(b"case_ref,not\xffes\nC1,x\n") == [
        "line 1, column 2: contains a byte that is not UTF-8 (0xFF); save the file as UTF-8 "
        "and import it again"]


def test_rows_with_the_wrong_number_of_values() -> None:
    text = "case_ref,unborn,notes\nC1,yes\nC2,yes,note,extra\nC3,no,fine\n"
    assert problems(text) == [
        "line 2, column \"notes\": the row has 2 values but the header names 3 columns",
        "line 3, column 4: the row has 4 values but the header names 3 columns",
    ]


def test_an_unclosed_quote_is_not_allowed_to_swallow_the_rest() -> None:
    text = 'case_ref,notes,unborn\nC1,ok,yes\nC2,"never closed,no\nC3,x,yes\n'
    result = load(text)
    assert result.cases == []
    assert [str(p) for p in result.problems] == [
        'line 3, column "notes": a quoted value starts here but its closing quote (") is missing']


def test_text_after_a_closing_quote() -> None:
    assert problems('case_ref,notes\nC1,"a"b\n') == [
        'line 2, column ?: a closing quote (") must be followed by a comma or the end of the line']


def test_a_quote_closed_too_late_is_hinted() -> None:
    text = 'case_ref,notes\nC1,"oops\nC2,x",y\nC3,z\n'
    assert problems(text) == [
        "line 3, column 3: the row has 3 values but the header names 2 columns; check for a "
        "quote left open"]


def test_oversized_text_is_refused() -> None:
    text = f"case_ref,notes\nC1,{'x' * 20_001}\n"
    assert problems(text) == [
        "line 2, column \"notes\": the value is 20,001 characters long; the most allowed is 20,000"]
    huge = f'case_ref,notes\nC1,ok\nC2,"{"y" * 200_000}"\n'
    assert problems(huge) == [
        "line 3, column ?: a value is far too long; the most allowed is 20,000 characters"]


def test_text_up_to_the_limit_is_kept_and_the_csv_field_limit_is_put_back() -> None:
    usual = csv.field_size_limit()
    padded = f"case_ref,notes,family_name\nC1,{'x' * 20_000},\"  {'y' * 19_999}  \"\nC2,\"two\nlines\",z\n"
    result = load(padded)
    assert result.ok, result.problems
    assert [len(c.notes) for c in result.cases] == [20_000, 9] and len(result.cases[0].family_name) == 19_999
    assert csv.field_size_limit() == usual
    late = f"case_ref,notes\nC1,\"two\nlines\"\nC2,{'x' * 20_001}\nC3,\"open\n"
    assert problems(late)[0] == "line 4, column \"notes\": the value is 20,001 characters long; the most allowed is 20,000"
    assert csv.field_size_limit() == usual


def test_imports_in_threads_each_read_at_the_right_limit() -> None:
    # csv's field limit is process-wide: an import never changes it, so imports in
    # threads each see the same limit and give the same answers.
    long_value = f"case_ref,notes,unborn\nR1,{'x' * 30_000},yes\nR2,b,maybe\n"
    usual = f"case_ref,notes\nR1,\"two\nlines\"\nR2,{'y' * 19_000}\n"
    def outcome(text: str) -> tuple[list[str], int]:
        result = load(text)
        return [str(p) for p in result.problems], len(result.cases)

    expected = {text: outcome(text) for text in (long_value, usual)}
    assert expected[long_value][0] == [
        "line 2, column \"notes\": the value is 30,000 characters long; the most allowed is 20,000",
        'line 3, column "unborn": "maybe" is not yes or no; use yes, no, y, n, true, false, 1 or 0, or leave it blank']
    assert expected[usual] == ([], 2)
    seen: list[object] = []

    def work(text: str) -> None:
        for _ in range(15):
            seen.append(outcome(text) == expected[text])

    threads = [threading.Thread(target=work, args=(t,)) for t in (long_value, usual) * 3]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to meet a race
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert seen == [True] * 90
    assert csv.field_size_limit() == 131_072


def test_one_bad_row_imports_nothing_and_all_problems_are_listed() -> None:
    text = ("case_ref,unborn,older_siblings,engagement\n"
            "C1,yes,1,none\n"
            "C2,maybe,-2,CSC:2021-01-01..2020-01-01\n"
            "C3,no,0,\n")
    result = load(text)
    assert result.rows == 3 and result.cases == [] and not result.ok
    assert [(p.line, p.column) for p in result.problems] == [
        (3, "unborn"), (3, "older_siblings"), (3, "engagement")]


def test_problem_list_is_capped() -> None:
    rows = "".join(f"C{i},maybe\n" for i in range(MAX_PROBLEMS + 50))
    result = load("case_ref,unborn\n" + rows)
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert result.problem_count == MAX_PROBLEMS + 50
    assert str(result.problems[0]).startswith("line 2, column \"unborn\": ")
    assert str(result.problems[-1]) == "... and 50 more problems"


def test_problem_reads_as_line_column_message() -> None:
    assert str(Problem(4, "unborn", "what is wrong")) == "line 4, column \"unborn\": what is wrong"


def test_a_file_that_is_not_a_csv_is_not_quoted_back() -> None:
    """Issue 15: importing /etc/passwd quoted its first line in the error."""
    from audit.csv_import import parse_candidates

    passwd = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    result = parse_candidates(passwd, audit="A", agency_codes=["CSC"], existing_refs=set())
    problems = "\n".join(str(p) for p in result.problems)
    assert "unknown column;" in problems
    assert "root" not in problems and "/bin" not in problems
