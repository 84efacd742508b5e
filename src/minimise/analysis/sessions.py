"""Where a web framework's session lives: in the cookie by default, in a server store when the project says so."""

from __future__ import annotations

from dataclasses import replace

from minimise.analysis.summary import ModuleSummary
from minimise.knowledge import Knowledge
from minimise.model import DataPoint

_COOKIE = "cookie"
_SERVER = "session"


def place_sessions(points: list[DataPoint], summaries: list[ModuleSummary], knowledge: Knowledge) -> list[DataPoint]:
    """Writes to a cookie session (``flask.session``, ``flash()``) become server-session writes when a module of the
    project keeps sessions server-side (Flask-Session, a custom ``session_interface``)."""
    if not any(summary.server_sessions for summary in summaries):
        return points
    cookie_vias = {"flask.flash"} | set(knowledge.frameworks.cookie_sessions)
    moved: list[DataPoint] = []
    for point in points:
        if point.sink_kind == _COOKIE and point.via in cookie_vias:
            step = "kept in the server's session store: the project sets server-side sessions up"
            point = replace(point, sink_kind=_SERVER, trace=(*point.trace, step))
        moved.append(point)
    return moved
