"""Which summary-only files a scan needs: those the analysed modules reach through their imports and calls.

A file that names nothing personal has no data point of its own; its functions matter only when a
module that handles personal data calls them, directly or through further helpers. Such a file is
left unparsed until an analysed module refers to it, and its summary, however it was computed (a
cache, a shard, a partial scan's project context), is linked only when one does. A scan therefore
gives the same result whichever way the summaries were produced.
"""

from __future__ import annotations

from collections.abc import Iterable

from minimise.analysis.summary import ModuleSummary


def referenced_modules(summary: ModuleSummary) -> set[str]:
    """Every module name a summary's qualified names could point into (each dotted prefix)."""
    names: set[str] = set(summary.bindings.values())
    names.update(site.callee for site in summary.calls)
    for cls in summary.classes.values():
        names.update(cls.bases)
        names.update(cls.attrs.values())
    for function in summary.functions.values():
        if function.returns_qname:
            names.add(function.returns_qname)
    prefixes: set[str] = set()
    for name in names:
        parts = name.replace("()", "").split(".")
        prefixes.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return prefixes


def reached(summaries: Iterable[ModuleSummary], pending: Iterable[str] = ()) -> tuple[set[str], set[str]]:
    """(modules reached, pending modules reached) from the summaries that are not reached-only.

    ``pending`` are the module names of files not analysed yet: the caller analyses the reached ones
    and asks again with their summaries added, until nothing new is reached.
    """
    by_module: dict[str, list[ModuleSummary]] = {}
    for summary in summaries:
        by_module.setdefault(summary.module, []).append(summary)
    waiting = set(pending)
    seen: set[str] = set()
    frontier = [s for group in by_module.values() for s in group if not s.reached_only]
    found_pending: set[str] = set()
    while frontier:
        summary = frontier.pop()
        for module in referenced_modules(summary):
            if module in seen:
                continue
            seen.add(module)
            if module in waiting:
                found_pending.add(module)
            frontier.extend(s for s in by_module.get(module, ()) if s.reached_only)
    return seen, found_pending


def linked_summaries(summaries: list[ModuleSummary]) -> list[ModuleSummary]:
    """The summaries the project-wide phase links: all but the reached-only ones nothing reaches."""
    if not any(s.reached_only for s in summaries):
        return summaries
    modules, _ = reached(summaries)
    return [s for s in summaries if not s.reached_only or s.module in modules]
