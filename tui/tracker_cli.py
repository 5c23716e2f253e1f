"""`maca actions`: the partnership's SMART actions across audits, for people and scripts.

`--json` prints ``{"actions": [{"audit", "id", "recommendation", "description", "owner",
"due", "status", "rag", "close_requested", "signed_off_at", "last_update", "updates"}]}``
(dates ISO, soonest due first, completed last); without it, one line per action.
Reading only: anyone who may open the workspace may list them.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from tui.cli import EXIT_OK


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    from tui.cli import _DB_HELP, _sub

    actions = _sub(sub, "actions", "list the SMART actions of every audit (the action tracker)",
                   "List every audit's SMART actions with owner agency, due date, status, RAG and last "
                   "update, soonest due first. Nothing is changed.")
    actions.add_argument("--db", type=Path, required=True, dest="sub_db", metavar="PATH", help=_DB_HELP)
    actions.add_argument("--audit", default=None, metavar="REF", help="only this audit's actions")
    actions.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args: argparse.Namespace) -> int:
    from audit.text import plain
    from audit.tracker import TrackerFilter, counts, status_text, tracker_json
    from storage.tracker import rows
    from tui.commands import _open, _say

    ws = _open(args.sub_db)
    ref = None
    if args.audit is not None:
        ref = ws.audit(args.audit).ref  # an unknown audit is one clear sentence, exit 2
    found = rows(ws, date.today(), TrackerFilter(audit=ref))
    if args.json:
        _say(json.dumps(tracker_json(found), indent=2))
        return EXIT_OK
    n = counts(found)
    _say(f"{len(found)} action(s){' of ' + ref if ref else ''}: {n['open']} open, {n['overdue']} overdue, "
         f"{n['awaiting sign-off']} awaiting sign-off, {n['complete']} complete.")
    for r in found:
        a = r.action
        due = a.due.isoformat() if a.due else "no date"
        _say(f"{a.audit:<14} {a.id:<4} {a.owner:<6} {due:<10}  {r.rag.symbol} {r.rag.label:<9} "
             f"{status_text(a):<28} {plain(a.description)[:70]}")
    return EXIT_OK
