"""What a parameter's own name says, settled by its callers: a setting from every one, or protected data."""

from __future__ import annotations

import dataclasses

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


def protect_parameters_given_protected(points: list[DataPoint], project: Project) -> list[DataPoint]:
    """The points a parameter's name stands in for, protected as every caller protects what it passes.

    `store_tokens(access_token)` writes `AuthTokens(access_token=access_token)`: the name says a token
    in the clear, but its one caller passes `encrypt_text(token)`. When each of the function's calls in
    the project passes, for that parameter, only data protected in one way, the point is so protected.
    """
    calls = project.calls_into({p.scope for p in points if p.protection == "none"})
    if not calls:
        return points
    return [_protected_by_callers(p, calls.get(p.scope, [])) if p.protection == "none" else p for p in points]


def _protected_by_callers(point: DataPoint, calls: list[tuple[CallSite, FunctionTarget]]) -> DataPoint:
    if not calls:
        return point
    names = [name for name, _kind in calls[0][1].summary.params]
    name = point.identifier if point.identifier in names else point.identifier.rsplit(".", 1)[-1]
    if name not in names:
        return point
    index = names.index(name)
    protections: set[str] = set()
    for site, target in calls:
        passed = [
            a for a in site.args if a.ident != "*" and index in parameters_bound(target.summary, a.ident, target.bound)
        ]
        if len(passed) != 1 or passed[0].params or not passed[0].labels:
            return point  # nothing, a spread, or data whose protection the caller does not know
        protections |= {label[2] for label in passed[0].labels}
    if len(protections) != 1 or "none" in protections:
        return point
    return dataclasses.replace(point, protection=protections.pop())
