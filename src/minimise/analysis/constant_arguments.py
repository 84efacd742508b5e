"""Drops what a parameter's own name says it is when every caller in the project fills it with a setting."""

from __future__ import annotations

from minimise.analysis.project_index import FunctionTarget, Project, parameters_bound
from minimise.analysis.summary import CallSite
from minimise.model import DataPoint


def drop_parameters_given_settings(points: list[DataPoint], project: Project) -> list[DataPoint]:
    """The points without those a parameter's name stands in for, where no caller hands it anything personal.

    `verify_receipt(receipt, user, password)` posts `{"password": password}`: the name says a person's
    password, but its two callers pass `config.APPLE_SHARED_SECRET`, the app's own. Each of the function's
    calls in the project passes a constant or a setting for the parameter, or leaves it to its default;
    a function no project code calls (a route, a task, a library's API) keeps what its names say.
    """
    calls = project.calls_into({p.scope for p in points})
    if not calls:
        return points
    return [p for p in points if not _only_settings_reach(p, calls.get(p.scope, []))]


def _only_settings_reach(point: DataPoint, calls: list[tuple[CallSite, FunctionTarget]]) -> bool:
    if not calls:
        return False
    names = [name for name, _kind in calls[0][1].summary.params]
    if point.identifier not in names:
        return False
    index = names.index(point.identifier)
    if calls[0][1].summary.params[index][1] not in ("pos", "kwonly"):
        return False
    return all(_given_a_setting(site, target, index) for site, target in calls)


def _given_a_setting(site: CallSite, target: FunctionTarget, index: int) -> bool:
    """Whether the call fills parameter ``index`` with a constant or a setting, or leaves it to its default."""
    function, bound = target.summary, target.bound
    if any(arg.ident == "*" or index in parameters_bound(function, arg.ident, bound) for arg in site.args):
        return False  # it hands on data, or a spread that may hold it
    idents = [arg.ident for arg in site.args] + [ident for ident, _setting in site.plain]
    if any(not parameters_bound(function, ident, bound) for ident in idents):
        return False  # `task.delay(args=(...))`: a call shaped otherwise than the function, its arguments unplaced
    for ident, setting in site.plain:
        if ident == "*":
            return False  # a spread of values nothing is known of
        if index in parameters_bound(function, ident, bound):
            return setting
    return True
