"""The render context: what every renderer is told besides the scan result (knowledge, checks,
the inventory used, git revision, date, version, baseline), so no renderer reloads it itself."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimise import __version__
from minimise.model import Finding, Report
from minimise.testcode import is_test_path

if TYPE_CHECKING:
    from minimise.inventory.schema import Inventory
    from minimise.knowledge import Check, Knowledge

# Where test code lives, by the conventions of pytest, unittest and Django: folders named so,
# and file names pytest collects. Reports count findings there apart from application code.


@dataclass(frozen=True)
class BaselineInfo:
    """The baseline a scan was compared with; its matched findings are left out of the report."""

    path: str
    findings: tuple[Finding, ...] = ()
    stale: int = 0


@dataclass
class RenderContext:
    knowledge: Knowledge
    checks: dict[str, Check]
    root: Path
    inventory: Inventory | None = None
    inventory_path: str = ""
    commit: str = ""
    branch: str = ""
    # ISO 8601 date-time of the scan; "" leaves it out, so a report can be byte-for-byte reproducible.
    date: str = ""
    version: str = __version__
    rule_files: tuple[str, ...] = ()
    baseline: BaselineInfo | None = None
    # The project's name as shown in headers; "" means the scan root's folder name.
    project_name: str = ""
    # Where the team publishes the rule pages (`docs-url`); "" embeds them instead of linking.
    docs_url: str = ""

    @property
    def project(self) -> str:
        return self.project_name or _absolute(self.root).name or str(self.root)

    def in_tests(self, path: str) -> bool:
        return is_test_path(path)

    def baselined_findings(self) -> list[Finding]:
        return sorted(self.baseline.findings, key=Finding.sort_key) if self.baseline else []


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _git(root: Path, *args: str) -> str:
    """One line of `git` output run in ``root``, or "" when git, the repository or the answer is missing."""
    from minimise.git import GitError, run_git

    folder = root if root.is_dir() else root.parent
    try:
        return run_git(args, folder).decode("utf-8", "replace").strip()
    except GitError:
        return ""


def git_revision(root: Path) -> tuple[str, str]:
    """(commit, branch) of the repository holding ``root``; "" for what is unknown (detached HEAD: no branch)."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if not commit:
        return "", ""
    return commit, _git(root, "symbolic-ref", "--quiet", "--short", "HEAD")


def scan_date() -> str:
    """Now, in UTC, or the time SOURCE_DATE_EPOCH fixes (the reproducible-builds convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = (
        datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    ).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def default_context(report: Report, **values: Any) -> RenderContext:
    """A context from the report alone: shipped knowledge and checks, no inventory, git or date."""
    from minimise.knowledge import load_knowledge
    from minimise.ruledocs import all_checks

    values.setdefault("knowledge", load_knowledge())
    values.setdefault("checks", all_checks())
    values.setdefault("root", Path(report.root))
    return RenderContext(**values)


# The formats that show what the context adds (revision, inventory, baseline, date).
CONTEXT_FORMATS = ("json", "sarif", "html")


def scan_context(
    report: Report, config: Any, outcome: Any, fmt: str, baseline_used: bool = True
) -> RenderContext | None:
    """The context of a `minimise scan`: its rules, the inventory it used, git, date and baseline.

    None for the terminal and comment formats, which show none of it (and run in pre-commit hooks).
    """
    from minimise.knowledge import load_knowledge

    if fmt not in CONTEXT_FORMATS:
        return None
    root = Path(report.root)
    rule_files = tuple(config["rules"])
    values: dict[str, Any] = {"knowledge": load_knowledge(rule_files), "rule_files": rule_files}
    values["docs_url"] = config["docs_url"] or ""
    if getattr(outcome, "inventory_used", False):
        values.update(_inventory(config["inventory"], root, values["knowledge"], load=fmt == "html"))
    values["commit"], values["branch"] = git_revision(root)
    if values["commit"]:
        values["project_name"] = Path(_git(root, "rev-parse", "--show-toplevel")).name
    if fmt == "html":
        values["date"] = scan_date()
    if baseline_used and config["baseline"]:
        values["baseline"] = BaselineInfo(
            path=str(config["baseline"]),
            findings=tuple(getattr(outcome, "baselined_findings", ())),
            stale=len(getattr(outcome, "stale", ())),
        )
    return default_context(report, **values)


def _inventory(configured: str | None, root: Path, knowledge: Knowledge, load: bool) -> dict[str, Any]:
    """The inventory the scan's policy used: its name, and (``load``) its contents read again."""
    from minimise.inventory import InventoryError, find_inventory, load_inventory
    from minimise.inventory.reconcile import display_path

    path = Path(configured) if configured else find_inventory(root)
    if path is None:
        return {}
    shown = display_path(path, root)
    if not load:
        return {"inventory_path": shown}
    try:
        return {"inventory": load_inventory(path, shown, knowledge), "inventory_path": shown}
    except (InventoryError, OSError):
        return {"inventory_path": shown}
