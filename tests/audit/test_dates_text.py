"""audit.text: control bytes removed from typed text, markup kept, long text refused."""

import pytest

from audit.text import MAX_TEXT, clean_text, has_control, length_problem, natural_key, one_of, quote, strip_control


@pytest.mark.parametrize(
    "raw, kept",
    [
        ("Smith", "Smith"),
        ("[/b] [bold red]x[/] | # <script>alert(1)</script>", "[/b] [bold red]x[/] | # <script>alert(1)</script>"),
        ("line one\nline two\tend", "line one\nline two\tend"),
        ("red \x1b[31mtext\x1b[0m", "red text"),
        ("title \x1b]0;pwned\x07after", "title after"),
        ("title \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "title link"),
        ("clear\x1bc screen", "clear screen"),
        ("charset \x1b(Bok", "charset ok"),
        ("dcs \x1bPq#0;2;0;0;0\x1b\\done", "dcs done"),
        ("bell\x07 back\x08 del\x7f nul\x00", "bell back del nul"),
        ("c1 \x9b31mx \x85y", "c1 x y"),
        ("windows\r\nbreak", "windows\nbreak"),
        ("lone escape at end \x1b", "lone escape at end "),
        ("unterminated \x1b]0;title and more", "unterminated 0;title and more"),
        ("café – naïve 😀", "café – naïve 😀"),
    ],
)
def test_strip_control(raw: str, kept: str) -> None:
    assert strip_control(raw) == kept
    assert not has_control(strip_control(raw))


def test_unchanged_text_is_not_copied() -> None:
    text = "nothing to strip " * 10
    assert strip_control(text) is text


def test_length_limit() -> None:
    assert length_problem("x" * MAX_TEXT) is None
    assert length_problem("x" * (MAX_TEXT + 1)) == (
        "the text is 20,001 characters long; the most allowed is 20,000"
    )
    with pytest.raises(ValueError, match="the most allowed is 20,000"):
        clean_text("y" * 20_001)
    assert clean_text("ok\x1b[1m") == "ok"


def test_quote_and_one_of() -> None:
    assert quote("a\x1b[31mb") == '"a?[31mb"'
    assert quote("x" * 100) == '"' + "x" * 59 + '\u2026"'
    assert one_of([]) == ""
    assert one_of(["a"]) == "a"
    assert one_of(["a", "b"]) == "a or b"
    assert one_of(["a", "b", "c"], "and") == "a, b and c"


def test_natural_key_orders_references_and_ids_as_people_read_them() -> None:
    refs = ["RB-10", "rb-2", "RB-1", "F10", "F2", "RB/2020-004", "RB/2020-0031"]
    assert sorted(refs, key=natural_key) == ["F2", "F10", "RB-1", "rb-2", "RB-10", "RB/2020-004", "RB/2020-0031"]
