"""Sharded scans: `minimise scan --shard K/N` and `minimise report merge` give the unsharded report, byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from gitrepo import git, init_repo

from minimise import __version__
from minimise.cli import cli
from minimise.shards import parse_spec, shard_of

FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY = Path(__file__).parents[1]

VIEWS = """\
import logging

from shop.notify import tell

log = logging.getLogger(__name__)


def signup(request):
    email = request.POST["email"]
    log.info("signup %s", email)
    tell(email)
    phone = request.POST["phone"]
    log.info("phone %s", phone)  # minimise: ignore[MIN502] the support desk reads this log
    return email
"""
NOTIFY = """\
import logging

audit = logging.getLogger("audit")


def tell(address):
    audit.warning("told %s", address)


def quiet():
    return 1  # minimise: ignore[MIN502] nothing here
"""
LATER = """\
import logging

log = logging.getLogger(__name__)


def update(request):
    log.info("new name %s", request.POST["full_name"])


SUPPORT = "Margit Halvorsen <margit.halvorsen@gmail.com>"
"""
BROKEN = "def signup(request)\n    email = request.POST['email']\n"
TEST_CODE = 'OWNER = "Margit Halvorsen <margit.halvorsen@gmail.com>"\n'
INVENTORY = """\
version: 1
system: {owner: "@shop"}
data:
  - id: email
    label: Email address
    category: user.contact.email
    allow: {collect: true}
"""
PYPROJECT = """\
[tool.minimise]
baseline = "minimise-baseline.json"
report_unused_suppressions = true
require_suppression_reason = true
"""


def _invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the HTML report's date
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def _shards(
    root: Path, out: Path, count: int, options: list[str], monkeypatch: pytest.MonkeyPatch, where: str = "."
) -> list[str]:
    names = []
    for index in range(1, count + 1):
        name = str(out / f"shard-{index}.json")
        done = _invoke(["scan", where, *options, "--shard", f"{index}/{count}", "-o", name], root, monkeypatch)
        assert done.exit_code == 0, done.output
        assert f"minimise: shard {index}/{count}: " in done.output
        names.append(name)
    return names


@pytest.fixture(scope="module")
def policy_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git project with an inventory, a baseline, suppressions (used and not), an unparsable file and tests."""
    root = tmp_path_factory.mktemp("policy") / "shop"
    init_repo(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "data-inventory.yaml": INVENTORY,
            "shop/__init__.py": "",
            "shop/views.py": VIEWS,
            "shop/notify.py": NOTIFY.split("\n\n\ndef quiet")[0] + "\n",
        },
    )
    created = CliRunner().invoke(cli, ["baseline", "create", str(root), "--no-cache", "-o", str(root / "b.json")])
    assert created.exit_code == 0, created.output
    (root / "b.json").rename(root / "minimise-baseline.json")
    for name, text in {
        "shop/later.py": LATER,
        "shop/notify.py": NOTIFY,
        "shop/broken.py": BROKEN,
        "tests/test_views.py": TEST_CODE,
    }.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "later")
    return root


ALL_FORMATS = ("json", "sarif", "html", "text", "markdown")
# (folder run from, the path scanned, the options, the formats compared): each case is scanned
# unsharded and in 1, 2 and 3 shards. The corpus (92 files) is the slow one: JSON and SARIF only.
CASES = {
    "project": (None, ".", ["--no-inventory"], ALL_FORMATS),
    "corpus-from-the-repository": (REPOSITORY, "tests/fixtures/corpus", ["--select", "ALL"], ("json", "sarif")),
    "policy": ("policy", ".", [], ALL_FORMATS),
}


def _case(name: str, tmp_path: Path, policy_project: Path) -> tuple[Path, str, list[str], tuple[str, ...]]:
    folder, where, options, formats = CASES[name]
    if folder is None:
        root = tmp_path / "project"
        shutil.copytree(FIXTURES / "project", root)
        init_repo(root, {})
        return root, where, options, formats
    return (policy_project if folder == "policy" else Path(folder)), where, options, formats


@pytest.mark.parametrize("case", sorted(CASES))
def test_merged_shards_are_the_unsharded_report_byte_for_byte(
    case: str, tmp_path: Path, policy_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, where, options, formats = _case(case, tmp_path, policy_project)
    unsharded = {}
    for fmt in formats:
        out = tmp_path / f"full.{fmt}"
        done = _invoke(["scan", where, *options, "--no-cache", "--format", fmt, "-o", str(out)], root, monkeypatch)
        assert done.exit_code == 1, done.output  # every case has findings
        unsharded[fmt] = out.read_bytes()
    report = json.loads(unsharded["json"])
    assert report["findings"]
    for count in (1, 2, 3):
        folder = tmp_path / f"n{count}"
        folder.mkdir()
        # The first sharding runs with the result cache, the others without: the merge is the same.
        cache = [] if count == 1 else ["--no-cache"]
        names = _shards(root, folder, count, [*options, *cache, "-j", "1"], monkeypatch, where)
        for fmt, expected in unsharded.items():
            out = folder / f"merged.{fmt}"
            done = _invoke(["report", "merge", *names, "--format", fmt, "-o", str(out)], root, monkeypatch)
            assert done.exit_code == 1, done.output
            assert out.read_bytes() == expected, f"{case}: {count} shards, {fmt}"


def test_the_policy_case_exercises_the_whole_policy(
    tmp_path: Path, policy_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The byte-for-byte case above covers the inventory, baseline, suppressions, MIN001 and MIN701."""
    names = _shards(policy_project, tmp_path, 2, ["--no-cache"], monkeypatch)
    out = tmp_path / "merged.json"
    done = _invoke(["report", "merge", *names, "--format", "json", "-o", str(out)], policy_project, monkeypatch)
    assert done.exit_code == 1, done.output
    found = {(f["code"], f["path"], f["line"]) for f in json.loads(out.read_text())["findings"]}
    assert found == {
        ("MIN501", "shop/later.py", 7),  # new since the baseline; the views' findings are baselined
        ("MIN502", "shop/later.py", 10),  # an email the inventory allows only to collect, written into the code
        ("MIN902", "shop/notify.py", 11),  # a suppression that silences nothing
        ("MIN001", "shop/broken.py", 2),
        ("MIN701", "tests/test_views.py", 1),  # test code is left out of the analysis, read at the merge
    }


def test_shards_from_checkouts_in_other_folders_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runners check the commit out wherever they like: only project-relative paths count."""
    first = tmp_path / "runner-1" / "shop"
    shutil.copytree(FIXTURES / "project", first)
    init_repo(first, {})
    second, merger = tmp_path / "runner-2" / "checkout", tmp_path / "runner-3" / "work" / "shop"
    shutil.copytree(first, second)
    shutil.copytree(first, merger)
    names = [
        *_shards(first, tmp_path / "runner-1", 2, ["--no-cache"], monkeypatch)[:1],
        *_shards(second, tmp_path / "runner-2", 2, ["--no-cache"], monkeypatch)[1:],
    ]
    expected, merged = tmp_path / "unsharded.sarif", tmp_path / "merged.sarif"
    assert _invoke(["scan", "--no-cache", "--format", "sarif", "-o", str(expected)], merger, monkeypatch).exit_code == 1
    done = _invoke(["report", "merge", *names, "--format", "sarif", "-o", str(merged)], merger, monkeypatch)
    assert done.exit_code == 1, done.output
    assert merged.read_bytes() == expected.read_bytes()


def test_a_shard_holds_no_literal_from_the_code_in_clear(
    tmp_path: Path, policy_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _shards(policy_project, tmp_path, 1, ["--no-cache"], monkeypatch)
    text = Path(names[0]).read_text(encoding="utf-8")
    assert "[email]" in text  # the literal's data point and the explain step quoting its line, masked
    assert "margit" not in text.lower()


# ----------------------------------------------------------------------------- which files go where
def test_a_file_goes_to_a_shard_by_a_stable_hash_of_its_path() -> None:
    # The first 8 bytes of the path's SHA-256 (`printf %s PATH | sha256sum`) modulo N, plus 1: the same
    # on every machine and in every Python run, whatever PYTHONHASHSEED is.
    assert [shard_of("shopapp/audit.py", n) for n in (1, 2, 3, 7)] == [1, 2, 1, 4]  # fcc390a72f57d9f1...
    assert [shard_of("shopapp/web/views.py", n) for n in (1, 2, 3, 7)] == [1, 2, 1, 2]  # 4dd2851ebdc25959...


def test_every_file_is_in_exactly_one_shard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    names = _shards(root, tmp_path, 3, ["--no-cache"], monkeypatch)
    files = [[entry["path"] for entry in json.loads(Path(name).read_text())["files"]] for name in names]
    every = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    assert sorted(sum(files, [])) == every
    assert all(files)  # 18 files: no shard is empty
    for index, paths in enumerate(files, start=1):
        assert {shard_of(path, 3) for path in paths} == {index}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("3/2", "shard 3 of 2: K must be between 1 and N"),
        ("0/2", "expected K/N, such as 2/4, got '0/2'"),
        ("two", "expected K/N, such as 2/4, got 'two'"),
        ("1/1001", "at most 1000 shards, got 1001"),
    ],
)
def test_a_bad_shard_spec_is_a_usage_error(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_spec(spec)
    done = CliRunner().invoke(cli, ["scan", "--shard", spec, "-o", "x.json"])
    assert done.exit_code == 2
    assert message in done.output
    assert parse_spec("2/4") == (2, 4)


# ----------------------------------------------------------------------------- errors, exit 2
@pytest.fixture
def shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    init_repo(root, {})
    return root, _shards(root, tmp_path, 3, ["--no-cache"], monkeypatch)


def _merge_error(root: Path, names: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    done = _invoke(["report", "merge", *names, "--format", "json"], root, monkeypatch)
    assert done.exit_code == 2, done.output
    lines = done.output.splitlines()
    assert len(lines) == 1, done.output
    return lines[0]


def _edit(name: str, change: dict[str, object]) -> None:
    data = json.loads(Path(name).read_text())
    data.update(change)
    Path(name).write_text(json.dumps(data))


def test_a_missing_shard_is_named(shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root, names = shards
    assert (
        _merge_error(root, [names[0], names[2]], monkeypatch) == "minimise: error: missing shard 2/3 (given: 1/3, 3/3)"
    )
    assert _merge_error(root, [names[1]], monkeypatch) == "minimise: error: missing shards 1/3, 3/3 (given: 2/3)"


def test_a_shard_given_twice_is_named(shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root, names = shards
    copy = str(Path(names[1]).with_name("copy.json"))
    shutil.copy(names[1], copy)
    assert _merge_error(root, [*names, copy], monkeypatch) == (
        f"minimise: error: {copy}: shard 2/3 again (also {names[1]})"
    )


def test_shards_of_another_count_are_named(
    shards: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, names = shards
    other = tmp_path / "other"
    other.mkdir()
    halves = _shards(root, other, 2, ["--no-cache"], monkeypatch)
    assert _merge_error(root, [names[0], halves[1]], monkeypatch) == (
        f"minimise: error: {halves[1]}: shard 2/2, but {names[0]} is 1/3: the shards of one scan share N"
    )


def test_shards_of_other_minimise_versions_are_refused(
    shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, names = shards
    _edit(names[2], {"minimise": "0.0.9"})
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[2]}: made by minimise 0.0.9, {names[0]} by minimise {__version__}; "
        "run every shard with one version"
    )
    for name in names:
        _edit(name, {"minimise": "0.0.9"})
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: made by minimise 0.0.9; this is minimise {__version__} "
        "(merge with the version that scanned)"
    )


def test_shards_of_other_builds_of_one_version_are_refused(
    shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, names = shards
    _edit(names[1], {"analyser": "0" * 64})
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[1]}: made by another build of minimise {__version__} than {names[0]} "
        "(its files differ); run every shard with one install"
    )
    for name in names:
        _edit(name, {"analyser": "0" * 64})
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: made by another build of minimise {__version__} than this one (its files differ)"
    )


def test_shards_of_other_configurations_are_refused(
    shards: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, names = shards
    other = tmp_path / "other"
    other.mkdir()
    selected = _shards(root, other, 3, ["--no-cache", "--select", "MIN5"], monkeypatch)
    assert _merge_error(root, [names[0], selected[1], names[2]], monkeypatch) == (
        f"minimise: error: {selected[1]}: made with another configuration than {names[0]} "
        "(options, configuration file, inventory, baseline or rule files differ)"
    )
    # The configuration changed between the shards and the merge: a data inventory appeared.
    (root / "data-inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: the shards were made with another configuration than the one here "
        "(configuration file, inventory, baseline or rule files changed?)"
    )


def test_shard_jobs_may_differ_in_what_changes_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    init_repo(root, {})
    one = _shards(root, tmp_path / "a", 2, ["--no-cache", "--format", "sarif", "-j", "2"], monkeypatch)[0]
    two = _shards(root, tmp_path / "b", 2, ["--cache-dir", str(tmp_path / "cache"), "--fail-on", "error"], monkeypatch)[
        1
    ]
    expected, merged = tmp_path / "unsharded.json", tmp_path / "merged.json"
    assert _invoke(["scan", "--no-cache", "--format", "json", "-o", str(expected)], root, monkeypatch).exit_code == 1
    done = _invoke(["report", "merge", one, two, "--format", "json", "-o", str(merged)], root, monkeypatch)
    assert done.exit_code == 1, done.output  # the merge's own --fail-on (note), not a shard's
    assert merged.read_bytes() == expected.read_bytes()


def test_shards_of_other_code_are_refused(shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root, names = shards
    audit = root / "shopapp" / "audit.py"
    audit.write_text(audit.read_text() + "\nLATER = 1\n")
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: the files here are not the ones the shards scanned "
        "(another commit or working tree?)"
    )


def test_a_corrupt_shard_is_named(shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root, names = shards
    broken = Path(names[1])
    broken.write_text('{"format": "minimise-shard",\n "version": 1,\n')
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {broken}:3: not a shard file: invalid JSON "
        "(Expecting property name enclosed in double quotes)"
    )
    broken.write_text(json.dumps({"version": "2.1.0", "runs": []}))
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {broken}: not a minimise shard file (written by `minimise scan --shard K/N -o FILE`)"
    )
    _edit(names[0], {"version": 2})
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: shard format version 2; this minimise reads version 1"
    )


def test_a_tampered_file_record_is_named(shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root, names = shards
    data = json.loads(Path(names[0]).read_text())
    first = next(i for i, entry in enumerate(data["files"]) if entry["points"])
    data["files"][first]["points"][0][2] = "sell"  # not an action
    Path(names[0]).write_text(json.dumps(data))
    path = data["files"][first]["path"]
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: corrupt shard: file record {first + 1} ({path}): bad action or protection"
    )
    data["files"][first]["points"][0][2] = "log"
    data["files"][first]["path"] = "../outside.py"
    Path(names[0]).write_text(json.dumps(data))
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[0]}: corrupt shard: file record {first + 1} has no relative path"
    )


def test_a_record_moved_to_another_shard_is_refused(
    shards: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, names = shards
    one, two = (json.loads(Path(name).read_text()) for name in names[:2])
    moved = one["files"].pop()
    two["files"].append(moved)
    Path(names[0]).write_text(json.dumps(one))
    Path(names[1]).write_text(json.dumps(two))
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {names[1]}: {moved['path']} belongs to another shard than 2"
    )
    two["files"].pop()
    Path(names[1]).write_text(json.dumps(two))
    assert _merge_error(root, names, monkeypatch) == (
        f"minimise: error: {moved['path']}: in none of the shards (were they all made from this checkout?)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--shard", "1/2"],
            "minimise: error: --shard needs -o FILE: the shard file that `minimise report merge` reads",
        ),
        (
            ["--shard", "1/2", "-o", "s.json", "--diff", "HEAD"],
            "minimise: error: --shard cannot be combined with --diff: shards cover the whole project",
        ),
        (
            ["shopapp/audit.py", "shopapp/web", "--shard", "1/2", "-o", "s.json"],
            "minimise: error: --shard scans one folder, not shopapp/audit.py shopapp/web",
        ),
    ],
)
def test_a_shard_scans_one_whole_folder(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    done = _invoke(["scan", *args], root, monkeypatch)
    assert done.exit_code == 2
    assert done.output.splitlines() == [message]
    assert not (root / "s.json").exists()
