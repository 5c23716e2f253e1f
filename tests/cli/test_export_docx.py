"""`maca export --format docx` (issue 20 item 4): a Word document read back, and the
identifier guard applied to it as to every export."""

from __future__ import annotations

import stat
from pathlib import Path

from audit.word import read_docx
from storage.workspace import Workspace
from tests.audit.test_word import markdown_outline
from tests.cli.test_export_cli import LEAK_LINE, LOGIN, REF, add_return, cohort_case, db, files, run, template

__all__ = ["db", "template"]  # the fixtures, shared with the Markdown and HTML tests


def test_export_docx_writes_a_word_document_with_the_markdowns_structure(db: Path, tmp_path: Path,
                                                                          capsys) -> None:
    md_file, docx_file = tmp_path / "r.md", tmp_path / "r.docx"
    assert run(capsys, "export", "--db", db, "--audit", REF, "-o", md_file)[0] == 0
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF, "-o", docx_file)  # .docx implies it
    assert (code, err) == (0, "")
    assert out.startswith(f"Exported the {REF} report to {docx_file} (") and out.rstrip().endswith("docx).")
    assert docx_file.read_bytes()[:2] == b"PK"
    assert stat.S_IMODE(docx_file.stat().st_mode) == 0o600
    outline = read_docx(docx_file.read_bytes())
    blocks, tables = markdown_outline(md_file.read_text(encoding="utf-8"))
    assert (outline.blocks, outline.tables) == (blocks, tables)
    assert outline.blocks[0] == ("h1", f"{REF}: Unborn babies, older siblings and multiple adversity")


def test_a_word_export_holding_a_family_name_is_refused_and_nothing_written(db: Path, capsys) -> None:
    ws = Workspace.open(db, LOGIN)
    victim = cohort_case(ws)
    add_return(ws, victim.case_ref, good_practice=f"The {victim.family_name} family were seen together.")
    before = files(db.parent)
    code, out, err = run(capsys, "export", "--db", db, "--audit", REF, "--format", "docx")
    assert (code, out) == (3, "")
    *places, _ = err.splitlines()
    assert places and all(LEAK_LINE.match(p) for p in places), err
    assert victim.family_name.lower() not in err.lower()
    assert files(db.parent) == before
