"""`maca export --format briefing` (issue 19 item 4): Markdown, HTML, and exit 3 on an identifier."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import briefing as ops
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from tui.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_export_the_briefing_as_markdown_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build_demo(tmp_path / "w.json", os_login(), in_progress=True)
    texts = ops.briefing_texts(ws, DEMO_AUDIT)
    ops.save_briefing(ws, DEMO_AUDIT, {**texts, "why": "[bold]x[/] | # <html>"})
    code, out, _ = _run(capsys, "export", "--db", ws.path, "--audit", DEMO_AUDIT, "--format", "briefing",
                        "-o", tmp_path / "b.md")
    assert code == 0 and "Exported the MACA-C86 briefing to" in out
    text = (tmp_path / "b.md").read_text()
    assert text.count("\n## ") == 7 and "<html>" not in text
    code, _, _ = _run(capsys, "export", "--db", ws.path, "--audit", DEMO_AUDIT, "--format", "briefing",
                      "-o", tmp_path / "b.html")
    page = (tmp_path / "b.html").read_text()
    assert code == 0 and "<h2>2. Why it matters</h2>" in page and "&lt;html&gt;" in page


def test_an_identifier_in_the_briefing_exits_3_naming_the_place(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    ws = build_demo(tmp_path / "w.json", os_login(), in_progress=True)
    ops.save_briefing(ws, DEMO_AUDIT, {**ops.briefing_texts(ws, DEMO_AUDIT), "more": "Ask the Inchcombe family"})
    code, _, err = _run(capsys, "export", "--db", ws.path, "--audit", DEMO_AUDIT, "--format", "briefing-html",
                        "-o", tmp_path / "b.html")
    assert code == 3
    assert "briefing, where to find more" in err and "Inchcombe" not in err
    assert not (tmp_path / "b.html").exists()
