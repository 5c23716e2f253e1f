"""Dates as typed (ISO and UK) and as shown (DD/MM/YYYY)."""

from datetime import date

import pytest

from audit.dates import EN_DASH, format_span, format_uk, parse_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020-02-01", date(2020, 2, 1)),
        ("01/02/2020", date(2020, 2, 1)),  # UK order: 1 February, never 2 January
        ("1/2/2020", date(2020, 2, 1)),
        ("  29/02/2020 ", date(2020, 2, 29)),  # leap day, surrounding spaces ignored
        ("2020-12-31", date(2020, 12, 31)),
    ],
)
def test_both_forms_parse(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("31/02/2020", '"31/02/2020" is not a real date'),
        ("2020-02-30", '"2020-02-30" is not a real date'),
        ("29/02/2021", '"29/02/2021" is not a real date'),
        ("00/01/2020", '"00/01/2020" is not a real date'),
        ("2020-13-01", '"2020-13-01" is not a real date'),
        ("2020/02/01", '"2020/02/01" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("01-02-2020", '"01-02-2020" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("20200201", '"20200201" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("2020-W01-1", '"2020-W01-1" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("01/02/20", '"01/02/20" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("1 Feb 2020", '"1 Feb 2020" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("٢٠٢٠-٠١-٠١", '"٢٠٢٠-٠١-٠١" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
        ("", '"" is not a date; use YYYY-MM-DD or DD/MM/YYYY'),
    ],
)
def test_bad_dates_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert str(caught.value) == message


def test_uk_display() -> None:
    assert format_uk(date(2020, 2, 1)) == "01/02/2020"
    assert format_uk(date(999, 1, 9)) == "09/01/0999"
    assert format_uk(None) == ""
    assert format_uk(None, "not recorded") == "not recorded"


def test_spans_use_an_en_dash() -> None:
    assert EN_DASH == "\u2013"
    assert format_span(date(2020, 2, 1), date(2020, 11, 30)) == "01/02/2020\u201330/11/2020"
    assert format_span(date(2020, 5, 3), None) == "03/05/2020\u2013ongoing"
    assert format_span(None, date(2020, 11, 30)) == "until 30/11/2020"
    assert format_span(None, None) == "with no dates"
