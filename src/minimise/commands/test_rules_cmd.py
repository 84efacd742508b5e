"""`minimise test-rules FILE...`: run the annotated examples of rule files, as `fixit test` does."""

from __future__ import annotations

from pathlib import Path

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@click.command("test-rules")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-v", "--verbose", is_flag=True, help="Print every example, passing or not.")
def test_rules_command(files: tuple[str, ...], verbose: bool) -> None:
    """Run the examples of each rule FILE against the shipped rules plus those files.

    \b
    Every `# expect: ACTION CATEGORY [protection]` line of an example must yield exactly
    those data points and every other line none; a check's `invalid` tests must fire on
    their `# error` lines and its `valid` tests never. A shipped rule file (rules/*.yaml)
    may be named too: its examples then run against the shipped rules alone.
    Exit codes: 0 every example passes, 1 an example fails, 2 a rule file is invalid.
    """
    from minimise.knowledge import load_knowledge, rules_dir, shipped_documents, team_documents
    from minimise.knowledge.examples import Failure, run_check_tests, run_example
    from minimise.yamlio import YamlError, line_of

    shipped = {(rules_dir() / name).resolve(): doc for name, doc in shipped_documents().items()}
    for name in files:
        if not Path(name).is_file():
            _fail(f"{name}: no such file")
    team = tuple(f for f in files if Path(f).resolve() not in shipped)
    try:
        documents = team_documents(team)
        knowledge = load_knowledge(team)
    except YamlError as exc:
        _fail(str(exc))
    chosen = {Path(f).resolve() for f in files}
    failures: list[Failure] = []
    ran = 0
    for example in knowledge.snippets:
        if Path(example.path).resolve() not in chosen:
            continue
        ran += 1
        found = run_example(example, knowledge)
        failures += found
        if verbose:
            click.echo(f"{'FAIL' if found else 'ok  '} {example.path}: {example.owner}")
    for doc in [*documents, *(d for p, d in shipped.items() if p in chosen)]:
        for index, entry in enumerate(doc.data.get("checks") or []):
            tests = entry.get("tests") or []
            if not tests:
                continue
            ran += len(tests)
            line = line_of(doc.reader.text, ("checks", index, "tests"))
            found = run_check_tests(doc.path, line, str(entry.get("code")), tests, knowledge)
            failures += found
            if verbose:
                click.echo(f"{'FAIL' if found else 'ok  '} {doc.path}: checks:{entry.get('code')}")
    for failure in failures:
        click.echo(str(failure))
    click.echo(f"{ran} example{'s' if ran != 1 else ''}, {len(failures)} failure{'s' if len(failures) != 1 else ''}")
    raise SystemExit(EXIT_FAILED if failures else EXIT_OK)


def _fail(message: str) -> None:
    click.echo(f"minimise: error: {message}", err=True)
    raise SystemExit(EXIT_USAGE)
