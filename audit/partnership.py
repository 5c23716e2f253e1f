"""The partnership: its agencies and the people allowed into the workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
LOGIN = re.compile(r"^[a-z_][a-z0-9._-]{0,31}$")


class Role(StrEnum):
    LEAD = "lead"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"
    PANEL = "panel"  # a sub-committee member: reads everything and signs off actions

    @property
    def label(self) -> str:
        return {"lead": "lead auditor", "coordinator": "audit co-ordinator", "viewer": "viewer",
                "panel": "panel member"}[self.value]


@dataclass(slots=True)
class Agency:
    code: str
    name: str


@dataclass(slots=True)
class User:
    login: str
    role: Role = Role.VIEWER
    agencies: list[str] = field(default_factory=list)
    name: str = ""
    rev: int = 0

    @property
    def key(self) -> str:
        return self.login

    def describe(self) -> str:
        """`alice · audit co-ordinator (MID, HV)` — who you are, for the header."""
        text = f"{self.login} · {self.role.label}"
        if self.agencies:
            text += f" ({', '.join(self.agencies)})"
        return text


@dataclass(slots=True)
class Partnership:
    name: str = "Safeguarding Children Partnership"
    agencies: list[Agency] = field(default_factory=list)
    marking: str = "OFFICIAL-SENSITIVE"  # the protective marking in every export's header and footer
    rev: int = 0

    key = "partnership"

    def agency_codes(self) -> list[str]:
        return [a.code for a in self.agencies]

    def agency_name(self, code: str) -> str:
        for agency in self.agencies:
            if agency.code == code:
                return agency.name
        return code

    def agency_label(self, code: str) -> str:
        """``Children's services (CSC)``; a name that already ends with its code, like
        ``Primary care (GP)``, keeps it once (never ``Primary care (GP) (GP)``)."""
        name = self.agency_name(code)
        if name == code or name.rstrip().endswith(f"({code})"):
            return name
        return f"{name} ({code})"

    def agency_name_without_code(self, code: str) -> str:
        """The name for ``CODE (name)``: ``GP (Primary care)``, not ``GP (Primary care (GP))``."""
        name = self.agency_name(code).rstrip()
        stripped = name.removesuffix(f"({code})").rstrip()
        return stripped or name

    def canonical_code(self, code: str) -> str | None:
        """The workspace's spelling of an agency code, matched case-insensitively."""
        wanted = code.strip().upper()
        for agency in self.agencies:
            if agency.code.upper() == wanted:
                return agency.code
        return None


def validate_user(user: User, agency_codes: list[str]) -> list[str]:
    problems: list[str] = []
    if not LOGIN.match(user.login):
        problems.append(
            f"Login {user.login!r} is not valid: use 1-32 lower-case letters, digits, '.', '_' or '-'."
        )
    if user.role is Role.COORDINATOR and not user.agencies:
        problems.append(f"Co-ordinator {user.login} needs at least one agency (--agency CODE).")
    if user.role is not Role.COORDINATOR and user.agencies:
        problems.append(f"Only co-ordinators belong to agencies; {user.login} is a {user.role.value}.")
    for code in user.agencies:
        if code not in agency_codes:
            problems.append(
                f"Unknown agency {code!r}; the workspace's agencies are {', '.join(agency_codes) or 'none yet'}."
            )
    return problems


def validate_agency(agency: Agency) -> list[str]:
    problems = []
    if not AGENCY_CODE.match(agency.code):
        problems.append(
            f"Agency code {agency.code!r} is not valid: use 1-10 capital letters or digits, starting with a letter."
        )
    if not agency.name.strip():
        problems.append(f"Agency {agency.code} needs a name.")
    return problems


def parse_partnership(text: str, *, source: str) -> tuple[Partnership, list[User]]:
    """Read a partnership file (name, [[agencies]], [[users]]); ValueError lists every problem."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: this is not valid TOML ({exc}).") from None
    problems: list[str] = []
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name is missing.")
        name = ""
    partnership = Partnership(name=name.strip())
    agencies = data.get("agencies", [])
    users_raw = data.get("users", [])
    shape = [f"{key} must be written as [[{key}]] tables." for key, value in (("agencies", agencies), ("users", users_raw))
             if not isinstance(value, list) or not all(isinstance(t, dict) for t in value)]
    if shape:
        raise ValueError("\n".join(f"{source}: {p}" for p in problems + shape))
    for table in agencies:
        agency = Agency(code=str(table.get("code", "")).strip(), name=str(table.get("name", "")).strip())
        problems += validate_agency(agency)
        partnership.agencies.append(agency)
    codes = partnership.agency_codes()
    if len(set(codes)) != len(codes):
        problems.append("An agency code is listed twice.")
    users: list[User] = []
    for table in users_raw:
        try:
            role = Role(str(table.get("role", "")))
        except ValueError:
            problems.append(f"User {table.get('login')!r} has an unknown role; use lead, coordinator, panel or viewer.")
            continue
        user = User(
            login=str(table.get("login", "")),
            role=role,
            agencies=[str(a) for a in table.get("agencies", [])],
            name=str(table.get("name", "")),
        )
        problems += validate_user(user, codes)
        users.append(user)
    if problems:
        raise ValueError("\n".join(f"{source}: {p}" for p in problems))
    return partnership, users
