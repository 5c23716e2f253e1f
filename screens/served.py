"""The app under `maca serve` (DESIGN §1): files come and go over the SSH channel.

Nothing a remote user types may name a path on the server, so where the local app asks
for a file (export, chase list, import), the served app shows the exact `ssh` command
that fetches or sends it, to copy and run on the person's own computer.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

__all__ = ["Served"]


@dataclass(frozen=True, slots=True)
class Served:
    """How the people using this session reach maca: ``ssh [-p PORT] ACCOUNT@HOST``."""

    account: str
    host: str
    port: int = 22

    def ssh(self, *words: str) -> str:
        """The command line that runs ``words`` on the server, quoted for a POSIX shell."""
        port = ["-p", str(self.port)] if self.port != 22 else []
        return " ".join(shlex.quote(w) for w in ["ssh", *port, f"{self.account}@{self.host}", *words])

    def fetch(self, words: list[str], into: str) -> str:
        """``ssh ... WORDS > INTO``: a command whose output lands in a local file."""
        return f"{self.ssh(*words)} > {shlex.quote(into)}"

    def send(self, words: list[str], source: str) -> str:
        """``ssh ... WORDS < SOURCE``: a command that reads a local file."""
        return f"{self.ssh(*words)} < {shlex.quote(source)}"
