"""Drops the exception messages of a project function whose every caller catches what it raises."""

from __future__ import annotations

from minimise.analysis.project_index import Project
from minimise.model import DataPoint

_RAISED = "exception"


def drop_caught_raises(points: list[DataPoint], project: Project) -> list[DataPoint]:
    """The points without those of messages raised where every call the project makes is caught.

    `check_friend_emails` raises `Exception(f"{email} is not registered")`; its one caller, a form's
    `clean_` method, turns it into the form's validation error (or drops it): the message goes back to
    the person who typed the address, never to a log. A function no project code calls (a route, a task)
    keeps its messages: the framework logs what escapes it.
    """
    raising = {p.scope for p in points if p.action == "log" and p.via == _RAISED}
    if not raising:
        return points
    caught = {name: all(site.caught for site, _ in calls) for name, calls in project.calls_into(raising).items()}
    if not any(caught.values()):
        return points
    return [p for p in points if not (p.action == "log" and p.via == _RAISED and caught.get(p.scope, False))]
