"""The `maca` command runs Python isolated from the environment (issue 15 item 4).

A `PYTHON*` variable steers the interpreter itself: `PYTHONINSPECT` turns the end of the
program into a Python prompt (a shell, for someone whose login only opens maca),
`PYTHONBREAKPOINT` names code to call, `PYTHONWARNINGS` imports modules.  A served
deployment keeps clients from setting variables (`PermitUserEnvironment no`, no
`pam_env` user files), and this is the second wall: unless Python already runs isolated
(`-I`, which implies `-E` and `-s`), the entry point starts itself again under `-I` with
every `PYTHON*` variable removed, before doing anything else.
"""

from __future__ import annotations

import os
import sys

# Runs in the new interpreter: maca's own folder is added at the end of the path (so it
# is found whether maca is installed or a checkout), then the command line is handed on.
_BOOT = ("import sys; sys.path.append({root!r}); from tui.cli import entry; "
         "sys.argv[0] = {argv0!r}; raise SystemExit(entry())")


def clean_environment(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` without the variables that steer Python."""
    return {key: value for key, value in environ.items() if not key.upper().startswith("PYTHON")}


def isolate() -> None:
    """Start again under ``python -I`` unless already isolated; returns only when it is."""
    if sys.flags.isolated and sys.flags.ignore_environment:
        for key in [k for k in os.environ if k.upper().startswith("PYTHON")]:
            del os.environ[key]  # ignored by this interpreter; kept from anything it starts
        return
    import tui

    root = os.path.dirname(os.path.dirname(os.path.abspath(tui.__file__)))
    # The program's own path is kept: `maca users` writes it into authorized_keys.
    argv0 = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else "maca"
    argv = [sys.executable, "-I", "-c", _BOOT.format(root=root, argv0=argv0), *sys.argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, clean_environment(dict(os.environ)))
