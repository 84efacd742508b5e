"""`minimise scan` of an unchanged folder: when the kept output (minimise.tree_memo) applies, its key and inputs."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimise.commands.delivery import Delivery

if TYPE_CHECKING:
    from minimise.config import Config
    from minimise.session import Outcome
    from minimise.tree_memo import Discovered, TreeMemo

# The formats that show the git revision (json, sarif, html) or the date (html) of a scan.
_REVISION_FORMATS = ("json", "sarif", "html")


def memo_for(config: Config, switches: dict[str, Any], shown: Sequence[Any]) -> tuple[TreeMemo, Discovered] | None:
    """The memo of this folder scan and what discovery found, or None where a kept output cannot stand in.

    ``shown`` holds the options that change only how the outcome is shown (output file, quiet, colour...).
    """
    if switches["no_cache"] or switches["diff_ref"] is not None:
        return None
    if config["format"] == "html" and not os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return None  # an HTML report shows when it was made
    from minimise.tree_memo import folder_memo

    def revision(project_root: Path) -> tuple[str, str]:
        if config["format"] not in _REVISION_FORMATS:
            return ("", "")
        from minimise.report.context import git_revision

        return git_revision(project_root)

    return folder_memo(
        config,
        switches["follow_symlinks"],
        ["scan", repr(sorted(switches.items())), repr(list(shown)), repr([sys.stdout.isatty(), sys.stderr.isatty()])],
        revision,
    )


def replayed(memo: TreeMemo) -> Delivery | None:
    """The kept delivery of an unchanged folder, or None."""
    kept = memo.replay()
    if kept is None:
        return None
    try:
        delivery = Delivery(**kept)
    except TypeError:
        return None
    fields = (delivery.stdout, delivery.output_text, delivery.exit_code)
    if not (isinstance(fields[0], str) and isinstance(fields[1], str) and isinstance(fields[2], int)):
        return None
    if not isinstance(delivery.stderr, list) or not all(isinstance(line, str) for line in delivery.stderr):
        return None
    if delivery.output is not None and not isinstance(delivery.output, str):
        return None
    return delivery


def keep(memo: TreeMemo, outcome: Outcome, delivery: Delivery) -> None:
    """Keep a scan's delivery unless something in it can differ on the next run of the same tree."""
    report = outcome.report
    if report.errors or any(f.code == "MIN001" for f in report.findings):
        return  # time limits and unreadable files are not facts about the tree
    memo.keep(asdict(delivery))
