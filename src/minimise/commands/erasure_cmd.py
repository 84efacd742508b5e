"""`minimise inventory erasure`: what of a user's personal data survives when their account is deleted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from minimise.cli import EXIT_FINDINGS, EXIT_OK, fail, resolve_root

if TYPE_CHECKING:
    from minimise.analysis.erasure import ErasureMap
    from minimise.analysis.retention import RetentionEntry

NO_PATH = (
    "minimise: no account deletion path found; declare one in data-inventory.yaml with "
    "`erasure: [package.module.function]`"
)


def declared_paths(inventory: Path | None) -> list[str]:
    """The functions the inventory's ``erasure:`` list declares as deletion paths."""
    from minimise.yamlio import YamlError, read_yaml

    if inventory is None:
        return []
    try:
        data = read_yaml(inventory)
    except YamlError as exc:
        fail(str(exc))
    declared = data.get("erasure") if isinstance(data, dict) else None
    if declared is None:
        return []
    if not isinstance(declared, list) or not all(isinstance(d, str) and d for d in declared):
        fail(f"{inventory}: `erasure` must be a list of dotted function names")
    return list(declared)


def to_markdown(erasure_map: ErasureMap) -> str:
    lines = ["# Erasure map", "", "What deleting a user's account leaves behind.", "", "## Deletion paths", ""]
    for path in erasure_map.paths:
        lines.append(f"- `{path.name}` ({path.path}:{path.line}): {path.why}")
    survivors = len(erasure_map.survivors())
    lines += ["", f"## Personal data ({survivors} survive)", ""]
    lines.append("| Verdict | Data | Where | Tied by | How | Evidence |")
    lines.append("|---|---|---|---|---|---|")
    for entry in erasure_map.entries:
        evidence = "; ".join(f"{s.path}:{s.line} {s.message}" if s.line else s.message for s in entry.evidence)
        data = f"{entry.kind} `{entry.subject}`" + (f" ({entry.category})" if entry.category else "")
        cells = [entry.verdict, data, f"{entry.path}:{entry.line}", entry.link, entry.how, evidence]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def retention_markdown(entries: list[RetentionEntry]) -> str:
    if not entries:
        return ""
    lines = ["", "## Retention", "", "| Item | Kept | Stored in | Purge job |", "|---|---|---|---|"]
    for entry in entries:
        models = ", ".join(m.rsplit(".", 1)[-1] for m in entry.models)
        purges = [f"{s.path}:{s.line} {s.message}" for s in entry.purged_by]
        if entry.unpurged:
            purges.append("none for " + ", ".join(m.rsplit(".", 1)[-1] for m in entry.unpurged) + " (MIN602)")
        purge = "; ".join(purges)
        lines.append(f"| `{entry.item}` | {entry.retention} | {models} | {purge} |")
    return "\n".join(lines) + "\n"


@click.command("erasure")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--inventory",
    "inventory_option",
    default=None,
    type=click.Path(),
    help="The declared inventory, for its `erasure:` deletion paths (default: data-inventory.yaml in the root).",
)
@click.option("--format", "fmt", type=click.Choice(["markdown", "md", "json"]), default="markdown", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write to this file (atomically) instead of stdout.")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help="Extra rule file (YAML) to load.")
@click.option("--jobs", "-j", type=int, default=0, help="Worker processes (default: CPU count).")
def erasure_command(
    paths: tuple[str, ...],
    inventory_option: str | None,
    fmt: str,
    output: str | None,
    extra_rules: tuple[str, ...],
    jobs: int,
) -> None:
    """Print what of a user's personal data survives when their account is deleted.

    \b
    Finds the deletion paths (functions that delete or anonymise the user, or those the
    inventory declares under `erasure:`), the model fields, caches and recipients tied to
    the user, and says per item: erased, expires or survives, how, and the evidence.
    Exit codes: 0 nothing survives (or no deletion path), 1 something survives, 2 usage error.
    """
    import json

    from minimise.analysis.erasure_checks import ErasureChecks
    from minimise.commands.inventory_io import declared_inventory_path, emit, load_declared, rules_knowledge
    from minimise.engine import EngineOptions
    from minimise.scan import ScanOptions, scan

    targets, root = resolve_root(paths)
    knowledge = rules_knowledge(extra_rules)
    inventory_path = declared_inventory_path(inventory_option, root)
    declared = declared_paths(inventory_path)
    inventory = load_declared(inventory_path, root, knowledge)

    # Every file: a deletion helper names no personal data, so the prefilter would skip it.
    engine = EngineOptions(extra_rules=tuple(extra_rules), prefilter=False)
    # Every module's deletes count, imported or not: no summary is left out.
    options = ScanOptions(paths=targets, root=root, engine=engine, jobs=jobs, defer_summaries=False)
    options.policy = lambda points: []
    checks = ErasureChecks(knowledge, tuple(declared), inventory)
    options.project_checks = checks
    report = scan(options)
    for error in report.errors:
        click.echo(f"minimise: warning: {error.path}:{error.line}: {error.message}", err=True)
    erasure_map, retention = checks.map, checks.retention
    if not erasure_map.paths and not retention:
        click.echo(NO_PATH)
        sys.exit(EXIT_OK)
    if fmt == "json":
        document = erasure_map.to_json() | {"retention": [e.to_json() for e in retention]}
        emit(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
    elif not erasure_map.paths:
        click.echo(NO_PATH)
        emit(retention_markdown(retention), output)
    else:
        emit(to_markdown(erasure_map) + retention_markdown(retention), output)
    sys.exit(EXIT_FINDINGS if erasure_map.survivors() else EXIT_OK)
