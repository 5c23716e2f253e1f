"""A concern carried to closure in the app: the holding agency's co-ordinator sees it at once
and records its action, a lead names the agency when maca cannot tell and closes it, and the
raiser is told where it stands when they come back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import OptionList, Select, TextArea

from screens.returns.concerns import ConcernAlertScreen
from screens.dialogs.form import FormScreen
from screens.widgets.identity import IdentityBar
from storage.concerns import record_agency_action
from storage.demo import DEMO_AUDIT, build_demo
from storage.lock import os_login
from storage.returns import open_return, raise_concern
from storage.workspace import Workspace
from tests.app.helpers import app_for, idle, notes, until

REF = DEMO_AUDIT
NOW = datetime(2021, 4, 20, 10, 0)
CLEAR = "RB-2020-013"  # only CSC works with the family on 20/04/2021
UNCLEAR = "RB-2020-001"
HOSTILE = "[bold]x[/] | # <b>y</b> \x1b[31m"


def workspace(tmp_path: Path) -> Path:
    return build_demo(tmp_path / "w.json", os_login()).path


async def test_the_holding_agency_sees_it_at_once_and_records_its_action(tmp_path: Path) -> None:
    path = workspace(tmp_path)
    csc_app = app_for(Workspace.open(path, "csc.coord"))
    async with csc_app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: csc_app.focused is not None)
        mid = Workspace.open(path, "mid.coord")
        raise_concern(mid, open_return(mid, REF, CLEAR, "MID"), f"Bruise on the baby's arm {HOSTILE}", now=NOW)
        csc_app.poll_workspace()
        await until(pilot, lambda: isinstance(csc_app.screen, ConcernAlertScreen) and csc_app.screen.concerns)
        alert = csc_app.screen
        text = str(alert.query_one(OptionList).get_option_at_index(0).prompt)
        assert "Bruise on the baby's arm [bold]x[/] | # <b>y</b>" in text and "\x1b" not in text
        assert "→ referred to CSC, the agency holding the case; waiting for its action" in text
        # Home, under the alert, redraws from the same change's WorkspaceChanged.
        assert await until(pilot, lambda: "1 safeguarding concern for your agency"
                           in str(csc_app.screen_stack[-2].query_one(IdentityBar)))
        await pilot.press("a")  # closing is the lead's: the key is not there for a co-ordinator
        await pilot.pause()
        assert isinstance(csc_app.screen, ConcernAlertScreen)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(csc_app.screen, FormScreen))
        csc_app.screen.query_one("#field-action", TextArea).text = f"Visited today and saw the baby {HOSTILE}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(csc_app.screen, (FormScreen, ConcernAlertScreen)) and idle(csc_app))
        assert "for your agency" not in str(csc_app.screen.query_one(IdentityBar))
    ret = Workspace.open(path, os_login()).get_return(REF, CLEAR, "MID")
    assert ret.concern.agency_action.startswith("Visited today") and ret.concern.agency_action_by == "csc.coord"
    assert ret.concern.open
    # Another agency's co-ordinator is not shown it.
    hv_app = app_for(Workspace.open(path, "hv.coord"))
    async with hv_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert not isinstance(hv_app.screen, ConcernAlertScreen)


async def test_the_lead_names_the_agency_then_closes_and_the_raiser_is_told(tmp_path: Path) -> None:
    path = workspace(tmp_path)
    hv = Workspace.open(path, "hv.coord")
    raise_concern(hv, open_return(hv, REF, UNCLEAR, "HV"), "Worried about the baby.", now=NOW)
    lead_app = app_for(Workspace.open(path, os_login()))
    async with lead_app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(lead_app.screen, ConcernAlertScreen) and lead_app.screen.concerns)
        text = str(lead_app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "awaiting a lead to name the agency holding the case" in text
        await pilot.press("h")
        await until(pilot, lambda: isinstance(lead_app.screen, FormScreen))
        lead_app.screen.query_one("#field-holder", Select).value = "GP"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(lead_app.screen, ConcernAlertScreen) and idle(lead_app)
                    and "referred to GP" in str(lead_app.screen.query_one(OptionList).get_option_at_index(0).prompt))
    # The raiser comes back: told where it stands.
    raiser = app_for(Workspace.open(path, "hv.coord"))
    async with raiser.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: any("Your safeguarding concern" in n for n in notes(raiser)))
        assert f"Your safeguarding concern on {REF} case {UNCLEAR} (HV): referred to GP, the agency holding the " \
               "case; waiting for its action." in notes(raiser)
    gp = Workspace.open(path, "gp.coord")
    record_agency_action(gp, gp.get_return(REF, UNCLEAR, "HV"), "Seen at the surgery today.", now=NOW)
    lead_app = app_for(Workspace.open(path, os_login()))
    async with lead_app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(lead_app.screen, ConcernAlertScreen) and lead_app.screen.concerns)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(lead_app.screen, FormScreen))
        assert lead_app.screen.query_one("#field-action", TextArea).text == "GP's action seen and checked."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(lead_app.screen, (FormScreen, ConcernAlertScreen)) and idle(lead_app))
    raiser = app_for(Workspace.open(path, "hv.coord"))
    async with raiser.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: any("Your safeguarding concern" in n for n in notes(raiser)))
        assert any(n.endswith(f"(HV): closed by {os_login()}.") for n in notes(raiser))
    summaries = [e.summary for e in Workspace.open(path, os_login()).journal()]
    assert any("to GP, the agency holding the case" in s for s in summaries)
    assert any("GP recorded its action" in s for s in summaries)
    assert any("acknowledged the safeguarding concern" in s for s in summaries)


def test_snapshot_alert_for_the_holding_agency(snap_compare, tmp_path: Path) -> None:
    path = workspace(tmp_path)
    mid = Workspace.open(path, "mid.coord")
    raise_concern(mid, open_return(mid, REF, CLEAR, "MID"), "Bruise on the baby's arm, unexplained.", now=NOW)

    async def run_before(pilot) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, ConcernAlertScreen) and pilot.app.screen.concerns)

    assert snap_compare(app_for(Workspace.open(path, "csc.coord")), terminal_size=(120, 40), run_before=run_before)
