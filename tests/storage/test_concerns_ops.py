"""A concern's way to closure: referred to the agency holding the case (by maca when the
engagement is clear, else by a lead), that agency's action, the lead's closure; each step
journaled and refused to anyone else."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from audit import concerns as domain
from audit.returns import TransitionError
from storage.concerns import raised_by, record_agency_action, refer_concern, waiting_for
from storage.demo import DEMO_AUDIT, build_demo
from storage.errors import AccessDenied
from storage.lock import os_login
from storage.returns import acknowledge_concern, cohort_refs, open_concerns, open_return, raise_concern
from storage.workspace import Workspace
from tests.workspace_files import copy_workspace

REF = DEMO_AUDIT
NOW = datetime(2021, 4, 20, 10, 0)
CLEAR = "RB-2020-013"  # only CSC still works with the family (police and AMH ended in 2020)
UNCLEAR = "RB-2020-001"  # every engagement ended in 2020


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "w.json"
    build_demo(path, os_login())
    return path


@pytest.fixture
def path(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.json"
    copy_workspace(template, target)
    return target


def as_(path: Path, login: str) -> Workspace:
    return Workspace.open(path, login)


def journal(ws: Workspace) -> list[str]:
    return [f"{e.who} {e.action} {e.summary}" for e in ws.journal()]


def test_the_cases_used_are_in_the_cohort(path: Path) -> None:
    assert {CLEAR, UNCLEAR} <= set(cohort_refs(as_(path, os_login()), REF))


def test_referred_at_once_when_one_agency_works_with_the_family(path: Path) -> None:
    mid = as_(path, "mid.coord")
    ret = raise_concern(mid, open_return(mid, REF, CLEAR, "MID"), "Baby seen with bruising.", now=NOW)
    assert ret.concern.holder == "CSC" and ret.concern.holder_by == domain.MACA
    assert domain.stage(ret.concern) is domain.Stage.REFERRED
    assert journal(mid)[-1].endswith("; referred to CSC, the agency holding the case")
    csc = as_(path, "csc.coord")
    assert [r.key for r in waiting_for(csc, ["CSC"])] == [ret.key]
    assert waiting_for(csc, ["HV"]) == []
    with pytest.raises(AccessDenied, match="mid.coord co-ordinates MID and cannot record CSC's action"):
        record_agency_action(mid, ret, "We did it.")
    acted = record_agency_action(csc, csc.get_return(REF, CLEAR, "MID"), "Strategy discussion held.", now=NOW)
    assert acted.concern.agency_action == "Strategy discussion held." and acted.concern.agency_action_by == "csc.coord"
    assert acted.concern.open and waiting_for(csc, ["CSC"]) == []
    assert journal(csc)[-1] == "csc.coord update CSC recorded its action on the safeguarding concern on case " + CLEAR
    status = domain.status_line(raised_by(as_(path, "mid.coord"), "mid.coord")[0].concern)
    assert status == "CSC recorded its action; waiting for a lead to close it"
    lead = as_(path, os_login())
    closed = acknowledge_concern(lead, lead.get_return(REF, CLEAR, "MID"), "Seen the CSC record.", now=NOW)
    assert domain.stage(closed.concern) is domain.Stage.CLOSED
    assert domain.status_line(closed.concern) == f"closed by {os_login()}"


def test_a_lead_names_the_agency_when_it_is_not_clear(path: Path) -> None:
    hv = as_(path, "hv.coord")
    ret = raise_concern(hv, open_return(hv, REF, UNCLEAR, "HV"), "Worried about the baby.", now=NOW)
    assert ret.concern.holder == "" and domain.stage(ret.concern) is domain.Stage.UNREFERRED
    with pytest.raises(TransitionError, match="has not yet named the agency"):
        record_agency_action(as_(path, os_login()), ret, "x")
    with pytest.raises(AccessDenied, match="Only a lead auditor"):
        refer_concern(hv, ret, "CSC")
    lead = as_(path, os_login())
    with pytest.raises(Exception, match="no agency 'NOPE'"):
        refer_concern(lead, ret, "NOPE")
    referred = refer_concern(lead, ret, "GP")
    assert referred.concern.holder == "GP" and referred.concern.holder_by == os_login()
    assert "to GP, the agency holding the case" in journal(lead)[-1]
    gp = as_(path, "gp.coord")
    assert [r.key for r in waiting_for(gp, ["GP"])] == [ret.key]
    record_agency_action(gp, gp.get_return(REF, UNCLEAR, "HV"), "Home visit today.", now=NOW)
    with pytest.raises(TransitionError, match="already recorded its action"):
        refer_concern(lead, as_(path, os_login()).get_return(REF, UNCLEAR, "HV"), "CSC")


def test_report_counts_no_details() -> None:
    from audit.returns import Concern, Return

    def ret(**kw: object) -> Return:
        return Return(audit="A", case_ref="C", agency="X", concern=Concern(raised=True, **kw))  # type: ignore[arg-type]

    returns = [ret(), ret(holder="CSC"), ret(holder="CSC", acknowledged_at=NOW), Return(audit="A", case_ref="D",
                                                                                       agency="X")]
    assert domain.counts(returns) == {"raised": 3, "referred": 2, "closed": 1}


def test_the_report_counts_concerns_and_names_no_case(path: Path) -> None:
    from datetime import date

    from storage.export import report_for

    mid = as_(path, "mid.coord")
    raise_concern(mid, open_return(mid, REF, CLEAR, "MID"), "Bruise on the baby's arm.", now=NOW)
    hv = as_(path, "hv.coord")
    raise_concern(hv, open_return(hv, REF, UNCLEAR, "HV"), "Worried about the baby.", now=NOW)
    lead = as_(path, os_login())
    acknowledge_concern(lead, lead.get_return(REF, UNCLEAR, "HV"), "Called the GP.", now=NOW)
    text = report_for(as_(path, os_login()), REF, date(2021, 4, 21)).markdown
    line = next(l for l in text.splitlines() if "safeguarding concern" in l)
    assert line == ("2 immediate safeguarding concerns were raised during the audit: 1 referred back to the "
                    "agency holding the case and 1 closed.")
    assert "Bruise" not in text and "Worried" not in text


def test_the_concern_marker_reads_only_the_audits_whose_summary_has_a_concern(path: Path) -> None:
    """The identity bar's count on every screen (issue 14 item 4): an audit with no concern,
    open or raised by this login, is not read for it; its summary says so."""
    from storage.audits import audit_from_scope_file
    from audit.access import Act
    from storage.demo import sample_path

    lead = Workspace.open(path, os_login())
    scope = path.parent / "other.toml"
    scope.write_text(sample_path("MACA-C86.toml").read_text().replace('"MACA-C86"', '"MACA-Z99"'))
    lead.insert(audit_from_scope_file(lead, scope), act=Act.CREATE_AUDIT)
    mid = Workspace.open(path, "mid.coord")
    raise_concern(mid, open_return(mid, REF, CLEAR, "MID"), "Bruise on the baby's arm.", now=NOW)

    fresh = Workspace.open(path, os_login())
    assert [r.case_ref for r in open_concerns(fresh)] == [CLEAR]
    assert [r.case_ref for r in raised_by(fresh, "mid.coord")] == [CLEAR]
    assert waiting_for(fresh, ["NOBODY"]) == [] and raised_by(fresh, "nobody") == []
    assert fresh.summary("MACA-Z99")["open_concerns"] == 0
    assert "MACA-Z99" not in fresh.files._audits  # never opened


def test_a_closed_concern_still_reaches_its_raiser_through_the_summary(path: Path) -> None:
    lead = Workspace.open(path, os_login())
    mid = Workspace.open(path, "mid.coord")
    raised = raise_concern(mid, open_return(mid, REF, CLEAR, "MID"), "Bruise on the baby's arm.", now=NOW)
    acknowledge_concern(lead, open_return(lead, REF, CLEAR, "MID"), "Seen by CSC today.", now=NOW)
    fresh = Workspace.open(path, "mid.coord")
    assert fresh.summary(REF)["open_concerns"] == 0 and fresh.summary(REF)["concerns"] == 1
    assert [r.key for r in raised_by(fresh, "mid.coord")] == [raised.key]
