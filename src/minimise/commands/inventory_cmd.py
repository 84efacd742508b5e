"""`minimise inventory`: start, generate and diff the data inventory.

minimise never rewrites the human inventory (data-inventory.yaml): `init` refuses to touch
an existing file and prints the YAML to add instead.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from minimise.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, resolve_root
from minimise.commands.inventory_io import declared_inventory_path, emit, load_declared, rules_knowledge

if TYPE_CHECKING:
    from minimise.model import DataPoint


def _points(targets: list[Path], root: Path, extra_rules: tuple[str, ...], jobs: int) -> list[DataPoint]:
    from minimise.engine import EngineOptions
    from minimise.scan import ScanOptions, scan

    options = ScanOptions(
        paths=targets, root=root, engine=EngineOptions(extra_rules=tuple(extra_rules)), jobs=jobs, cache_dir=None
    )
    # The policy is irrelevant here: only data points are used.
    options.policy = lambda points: []
    report = scan(options)
    for error in report.errors:
        click.echo(f"minimise: warning: {error.path}:{error.line}: {error.message}", err=True)
    return report.data_points


def _is_full(targets: list[Path], root: Path) -> bool:
    return len(targets) == 1 and targets[0].is_dir() and targets[0].resolve() == root.resolve()


def _refresh_command(command: str, paths: tuple[str, ...], options: list[tuple[str, str | None]]) -> str:
    """The command that rewrites the checked file: the one that ran, without the check."""
    words = ["minimise", "inventory", command]
    for flag, value in options:
        words += [flag] if value is None else [flag, value]
    if any(path.startswith("-") for path in paths):
        words.append("--")
    return shlex.join([*words, *paths])


def _needs_output(check_output: bool, output: str | None) -> None:
    """A check compares with a committed file: without -o there is nothing to compare (exit 2, before any scan)."""
    if check_output and not output:
        fail("nothing to check: name the committed file with -o FILE")


def _is_current(text: str, output: str | None, refresh: str) -> bool:
    """Whether ``output`` (the committed file) holds ``text`` exactly; says why not and how to refresh.

    Nothing is written: this is the `--check` of a pre-commit hook or CI job (as `ruff format --check`).
    """
    _needs_output(True, output)
    assert output is not None
    path = Path(output)
    try:
        current = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        click.echo(f"minimise: {output} does not exist; create it with `{refresh}` and commit it.", err=True)
        return False
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {output}: {getattr(exc, 'strerror', None) or exc}")
        raise AssertionError from None
    if current == text:
        click.echo(f"minimise: {output} is up to date.", err=True)
        return True
    click.echo(
        f"minimise: {output} is stale (the code or the inventory changed since it was written); "
        f"refresh it with `{refresh}` and commit it.",
        err=True,
    )
    return False


def _shared_options(
    inventory_option: str | None,
    fmt: tuple[str, str, str],
    include_tests: bool,
    extra_rules: tuple[str, ...],
    output: str | None,
) -> list[tuple[str, str | None]]:
    """The options of `generate` and `diff` that change their output, as given (``fmt``: flag, value, default)."""
    flag, value, default = fmt
    options: list[tuple[str, str | None]] = []
    if inventory_option:
        options.append(("--inventory", inventory_option))
    if value != default:
        options.append((flag, value))
    if include_tests:
        options.append(("--include-tests", None))
    options += [("--rules", rule) for rule in extra_rules]
    if output:
        options.append(("-o", output))
    return options


_common = [
    click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help="Extra rule file (YAML) to load."),
    click.option("--jobs", "-j", type=int, default=0, help="Worker processes (default: CPU count)."),
]


def _include_tests(func: Any) -> Any:
    return click.option(
        "--include-tests",
        is_flag=True,
        help="Also count tests, fixtures and development scripts (left out by default).",
    )(func)


def _with_common(func: Any) -> Any:
    for option in reversed(_common):
        func = option(func)
    return func


@click.group("inventory")
def inventory_group() -> None:
    """Declare personal data in data-inventory.yaml, generate what the code does, diff it.

    \b
    minimise inventory init       write a starter data-inventory.yaml from a scan
    minimise inventory generate   the observed inventory as YAML, JSON or CSV
    minimise inventory diff       what changes against a git revision, for product managers
    Check code against the inventory with `minimise scan --inventory data-inventory.yaml`.
    """


@inventory_group.command("init")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--inventory",
    "inventory_option",
    default="data-inventory.yaml",
    show_default=True,
    type=click.Path(),
    help="The inventory file to create.",
)
@click.option("--system", "system_name", default="", help="System name to write (default: the folder name).")
@_include_tests
@_with_common
def init_command(
    paths: tuple[str, ...],
    inventory_option: str,
    system_name: str,
    include_tests: bool,
    extra_rules: tuple[str, ...],
    jobs: int,
) -> None:
    """Write a starter inventory from a scan of PATHS, grouped by category, with TODOs.

    \b
    Items allow what is collected and stored. Logging, sharing and sensitive data stored
    without protection are not allowed: each is a comment saying where it was seen and
    how to allow it, and `minimise scan` keeps reporting it until someone decides.
    Refuses to overwrite an existing file: prints the items to add instead and exits 1.
    """
    from minimise.atomic import atomic_write
    from minimise.inventory.hosts import literal_hosts
    from minimise.inventory.load import InventoryError, load_inventory
    from minimise.inventory.plain import is_production_path
    from minimise.inventory.reconcile import display_path
    from minimise.inventory.starter import missing_items, starter_inventory

    targets, root = resolve_root(paths)
    knowledge = rules_knowledge(extra_rules)
    target = Path(inventory_option)
    points = [p for p in _points(targets, root, extra_rules, jobs) if include_tests or is_production_path(p.path)]
    hosts = literal_hosts(points, root)
    if target.exists() or target.is_symlink():
        click.echo(f"minimise: {target} already exists; minimise never rewrites it.", err=True)
        try:
            existing = load_inventory(target, display_path(target, root), knowledge)
        except InventoryError as exc:
            click.echo(f"minimise: {exc}", err=True)
            click.echo("minimise: a complete starter inventory follows; merge it by hand.", err=True)
            click.echo(starter_inventory(points, knowledge, system_name or root.resolve().name, hosts), nl=False)
            sys.exit(EXIT_FINDINGS)
        addition = missing_items(points, existing, knowledge, hosts)
        if addition:
            click.echo("minimise: add these items to it by hand:", err=True)
            click.echo(addition, nl=False)
        else:
            click.echo("minimise: it already declares every data item found.", err=True)
        sys.exit(EXIT_FINDINGS)
    text = starter_inventory(points, knowledge, system_name or root.resolve().name, hosts)
    try:
        atomic_write(target, text)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    click.echo(f"minimise: wrote {target}: {text.count(chr(10) + '  - id: ')} items; complete the TODOs.", err=True)
    sys.exit(EXIT_OK)


@inventory_group.command("generate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--inventory",
    "inventory_option",
    default=None,
    type=click.Path(),
    help="The declared inventory (default: data-inventory.yaml in the root, if any).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json", "csv", "csv-items"]),
    default="yaml",
    show_default=True,
    help="csv: the record of processing activities, one row per purpose; csv-items: one row per data item.",
)
@click.option("-o", "--output", type=click.Path(), help="Write to this file (atomically) instead of stdout.")
@click.option(
    "--check",
    "--check-output",
    "check_output",
    is_flag=True,
    help="Write nothing: exit 1 when the -o FILE differs from what would be written (stale or missing).",
)
@_include_tests
@_with_common
def generate_command(
    paths: tuple[str, ...],
    inventory_option: str | None,
    fmt: str,
    output: str | None,
    check_output: bool,
    include_tests: bool,
    extra_rules: tuple[str, ...],
    jobs: int,
) -> None:
    """Write the observed inventory of PATHS: every data item and where it is collected,
    stored, logged and shared. Sorted and stable; lines are evidence only.

    \b
    Tests, fixtures and development scripts are left out unless --include-tests is given.
    With --check, nothing is written: the exit status is 1 when the committed -o FILE is
    stale, and the message gives the command that refreshes it.
    """
    from minimise.inventory.observed import RENDER, observe
    from minimise.inventory.ropa import to_activities_csv, to_items_csv

    _needs_output(check_output, output)
    targets, root = resolve_root(paths)
    knowledge = rules_knowledge(extra_rules)
    inventory = load_declared(declared_inventory_path(inventory_option, root), root, knowledge)
    points = _points(targets, root, extra_rules, jobs)
    document = observe(points, inventory, knowledge, _is_full(targets, root), root, include_tests)
    if fmt == "csv":
        text = to_activities_csv(document, inventory, knowledge)
    elif fmt == "csv-items":
        text = to_items_csv(document, inventory, knowledge)
    else:
        text = RENDER[fmt](document)
    if check_output:
        options = _shared_options(inventory_option, ("--format", fmt, "yaml"), include_tests, extra_rules, output)
        current = _is_current(text, output, _refresh_command("generate", paths, options))
        sys.exit(EXIT_OK if current else EXIT_FINDINGS)
    emit(text, output)
    sys.exit(EXIT_OK)


@inventory_group.command("diff")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--base", "base_ref", required=True, help="The git revision to compare with (branch, tag or commit).")
@click.option(
    "--inventory",
    "inventory_option",
    default=None,
    type=click.Path(),
    help="The declared inventory (default: data-inventory.yaml in the root, if any).",
)
@click.option("--format", "fmt", type=click.Choice(["markdown", "md", "json"]), default="markdown", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write to this file (atomically) instead of stdout.")
@click.option("--check", is_flag=True, help="Exit 1 when a change needs a decision (to gate a pull request).")
@click.option(
    "--check-output",
    is_flag=True,
    help="Write nothing: exit 1 when the -o FILE differs from what would be written (stale or missing).",
)
@_include_tests
@_with_common
def diff_command(
    paths: tuple[str, ...],
    base_ref: str,
    inventory_option: str | None,
    fmt: str,
    output: str | None,
    check: bool,
    check_output: bool,
    include_tests: bool,
    extra_rules: tuple[str, ...],
    jobs: int,
) -> None:
    """Compare what PATHS do with personal data now and at git revision BASE.

    \b
    Writes plain-language Markdown for product managers (or JSON). Changes that need a
    decision come first, with who decides: new undeclared data, new recipients, uses the
    inventory does not allow, and inventory edits that widen what is allowed. The working
    tree and the index are not touched: the revision is read with git into a temporary folder.
    Exit codes: 0 (with --check: nothing needs a decision), 1 (--check: a decision is
    needed; --check-output: the committed -o FILE is stale, and nothing is written),
    2 usage error or unknown revision.
    """
    from minimise.inventory.changes import compare
    from minimise.inventory.diff import GitError, checkout_to_temp
    from minimise.inventory.diff_report import to_json, to_markdown
    from minimise.inventory.observed import observe

    _needs_output(check_output, output)
    targets, root = resolve_root(paths)
    knowledge = rules_knowledge(extra_rules)
    inventory_path = declared_inventory_path(inventory_option, root)
    full = _is_full(targets, root)
    head_inventory = load_declared(inventory_path, root, knowledge)
    head_points = _points(targets, root, extra_rules, jobs)
    head = observe(head_points, head_inventory, knowledge, full, root, include_tests)
    if inventory_path is None:
        from minimise.inventory.schema import DEFAULT_FILE

        inventory_path = root / DEFAULT_FILE  # it may exist at the base revision
    try:
        with checkout_to_temp(targets, root, base_ref, inventory_path) as (base_paths, base_root, base_inv, _):
            base_inventory = load_declared(base_inv, base_root, knowledge) if base_inv is not None else None
            points = _points(base_paths, base_root, extra_rules, jobs) if base_paths else []
            base = observe(points, base_inventory, knowledge, full, base_root, include_tests)
    except GitError as exc:
        click.echo(f"minimise: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    result = compare(base, head, base_ref, base_inventory, head_inventory, knowledge)
    text = to_json(result) if fmt == "json" else to_markdown(result)
    needs_decision = check and result.needs_decision
    if check_output:
        options: list[tuple[str, str | None]] = [("--base", base_ref)]
        options += _shared_options(inventory_option, ("--format", fmt, "markdown"), include_tests, extra_rules, output)
        current = _is_current(text, output, _refresh_command("diff", paths, options))
        sys.exit(EXIT_FINDINGS if needs_decision or not current else EXIT_OK)
    emit(text, output)
    sys.exit(EXIT_FINDINGS if needs_decision else EXIT_OK)


from minimise.commands.erasure_cmd import erasure_command  # noqa: E402 - registered on the group above

inventory_group.add_command(erasure_command)
