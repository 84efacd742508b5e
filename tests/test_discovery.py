"""Which files a scan reads: test code left out by default, and every .gitignore honoured as git does."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli

LEAKY = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)

TEST_FILES = [
    "tests/test_signup.py",
    "tests/helpers.py",
    "test/api.py",
    "testing/client.py",
    "pkg/db/testing.py",
    "pkg/testcases.py",
    "pkg/users/fakes/repository.py",
    "pkg/mocks/mailer.py",
    "locustfile.py",
    "pkg/test_views.py",
    "pkg/views_test.py",
    "conftest.py",
    "pkg/fixtures/users.py",
    "pkg/factories.py",
    "pkg/users/factory_users.py",
    "pkg/user_factories.py",
    "pkg/lib/create_test_data.py",
    "scripts/seed_db.py",
    "pkg/seeds/customers.py",
    "loaddata.py",
    "e2e/utils.py",
    "playwright_tests/flows/login.py",
    "pkg/integration-tests/api.py",
    "examples/quickstart/remember_bio.py",
    "docs/example/app.py",
    "pkg/demo/seed_shop.py",
    "samples/signup.py",
    "evals/old/hotpot_qa.py",
    "benchmarks/bulk_insert.py",
]
PRODUCTION = [
    "pkg/views.py",
    "pkg/app_factory.py",
    "pkg/testimonials.py",
    "pkg/contest.py",
    "pkg/latest_data.py",
    "pkg/seedling.py",
    "pkg/contests/api.py",
    "pkg/demographics.py",
    "pkg/examples_api.py",
    "pkg/evaluations/scores.py",
]


def _tree(root: Path, names: list[str]) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LEAKY, encoding="utf-8")
    return root


def _scan(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _paths(report: dict[str, object]) -> set[str]:
    return {f["path"] for f in report["findings"]}  # type: ignore[attr-defined, index]


def test_test_code_is_left_out_and_counted(tmp_path: Path) -> None:
    root = _tree(tmp_path, TEST_FILES + PRODUCTION)
    report = _scan(str(root))
    assert _paths(report) == set(PRODUCTION)
    assert {p["path"] for p in report["data_points"]} == set(PRODUCTION)  # type: ignore[attr-defined]
    assert report["summary"] == {"files_scanned": 10, "files_treated_as_tests": len(TEST_FILES)}
    text = CliRunner().invoke(cli, ["scan", "--no-cache", str(root)]).stdout
    assert text.splitlines()[-1].endswith("; 29 test files left out (--include-tests)")


def test_include_tests_brings_them_back(tmp_path: Path) -> None:
    root = _tree(tmp_path, TEST_FILES + PRODUCTION)
    report = _scan(str(root), "--include-tests")
    assert _paths(report) == set(TEST_FILES + PRODUCTION)
    assert report["summary"] == {"files_scanned": 39, "files_treated_as_tests": 0}
    (root / "pyproject.toml").write_text("[tool.minimise]\ninclude-tests = true\n", encoding="utf-8")
    assert _paths(_scan(str(root))) == set(TEST_FILES + PRODUCTION)


def test_alembic_versions_are_migrations(tmp_path: Path) -> None:
    """Alembic keeps its migrations in `versions/` beside `script.py.mako`: left out like Django's `migrations/`."""
    root = _tree(tmp_path, ["db/alembic/versions/1a2b_add_users.py", "app/versions.py", "app/versions/api.py"])
    (root / "db" / "migrate").mkdir(parents=True)
    _tree(root, ["db/migrate/versions/3c4d_add_phone.py"])
    (root / "db" / "migrate" / "script.py.mako").write_text("${upgrades}\n", encoding="utf-8")
    assert _paths(_scan(str(root))) == {"app/versions.py", "app/versions/api.py"}
    assert _paths(_scan(str(root), "--include-migrations")) == {
        "app/versions.py",
        "app/versions/api.py",
        "db/alembic/versions/1a2b_add_users.py",
        "db/migrate/versions/3c4d_add_phone.py",
    }


def test_files_named_explicitly_are_always_analysed(tmp_path: Path) -> None:
    root = _tree(tmp_path, TEST_FILES + PRODUCTION)
    report = _scan(str(root / "tests" / "test_signup.py"), str(root / "pkg" / "views.py"))
    # Paths are relative to the project root: here (no configuration, no git) the folder holding both.
    assert _paths(report) == {"tests/test_signup.py", "pkg/views.py"}
    # A folder named explicitly is walked like any other: its test files are left out.
    assert _paths(_scan(str(root / "pkg"))) == {
        "views.py",
        "app_factory.py",
        "testimonials.py",
        "contest.py",
        "latest_data.py",
        "seedling.py",
        "contests/api.py",
        "demographics.py",
        "examples_api.py",
        "evaluations/scores.py",
    }
    assert _scan(str(root / "pkg"))["summary"] == {"files_scanned": 10, "files_treated_as_tests": 14}


def _git(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd))
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    _tree(root, ["app.py", "pkg/generated/out.py", "pkg/keep.py", "pkg/deep/local.py", "build_area/x.py"])
    (root / "pkg" / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (root / "pkg" / "deep" / ".gitignore").write_text("local.py\n", encoding="utf-8")
    (root / ".git" / "info" / "exclude").write_text("build_area/\n", encoding="utf-8")
    return root


def test_nested_gitignore_files_are_honoured(repo: Path) -> None:
    assert _paths(_scan(str(repo))) == {"app.py", "pkg/keep.py"}
    # The same from a subfolder, and for tracked files (git keeps tracked files whatever .gitignore says).
    _git(repo, "add", "-f", "pkg/generated/out.py")
    assert _paths(_scan(str(repo / "pkg"))) == {"pkg/keep.py", "pkg/generated/out.py"}


def test_gitignore_outside_git_is_the_root_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "plain", ["app.py", "gen/out.py"])
    (root / ".gitignore").write_text("gen/\n", encoding="utf-8")
    assert _paths(_scan(str(root))) == {"app.py"}


def test_repository_configured_fsmonitor_never_runs(repo: Path) -> None:
    marker = repo.parent / "fsmonitor-ran"
    hook = repo.parent / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    _git(repo, "config", "core.fsmonitor", str(hook))
    assert _paths(_scan(str(repo))) == {"app.py", "pkg/keep.py"}
    assert not marker.exists()


def test_real_personal_literals_in_left_out_test_code_are_still_reported(tmp_path: Path) -> None:
    """Test code is not production data flow, but real data committed in it is a finding (MIN701)."""
    root = _tree(tmp_path, ["app.py"])
    (root / "tests").mkdir()
    (root / "tests" / "test_signup.py").write_text(
        LEAKY
        + '\n\nCUSTOMER = "maria.lopez@gmail.com"\nSILENCED = "jo.brand@gmail.com"  # minimise: ignore[MIN701] ok\n',
        encoding="utf-8",
    )
    report = _scan(str(root))
    found = sorted((f["path"], f["line"], f["code"]) for f in report["findings"])  # type: ignore[attr-defined]
    # The log call in the test file is left out; its committed email is not.
    assert found == [("app.py", 7, "MIN301"), ("tests/test_signup.py", 10, "MIN701")]
    assert report["summary"] == {"files_scanned": 1, "files_treated_as_tests": 1}
    assert "maria.lopez@gmail.com" not in json.dumps(report)


def test_a_number_that_comes_back_in_other_test_files_is_a_fixture(tmp_path: Path) -> None:
    """A suite's made-up contact recurs file after file; a real number pasted into one test does not."""
    root = _tree(tmp_path, ["app.py"])
    (root / "tests").mkdir()
    for name in ("test_contacts.py", "test_messages.py"):
        (root / "tests" / name).write_text(
            'def test_it(make):\n    make(email="joe.kiptoo@gmail.com", phone="+593979099145")\n', encoding="utf-8"
        )
    (root / "tests" / "test_export.py").write_text(
        'JOE = "+593979099145"\nPASTED = ("maria.lopez@gmail.com", "+44 7911 402817")\n', encoding="utf-8"
    )
    report = _scan(str(root))
    found = sorted((f["path"], f["line"], f["code"]) for f in report["findings"])  # type: ignore[attr-defined]
    assert found == [
        ("app.py", 7, "MIN301"),
        ("tests/test_contacts.py", 2, "MIN701"),  # the address; its number is the suite's
        ("tests/test_export.py", 2, "MIN701"),
        ("tests/test_export.py", 2, "MIN701"),
        ("tests/test_messages.py", 2, "MIN701"),
    ]


def test_shown_paths_are_pathlibs_relative_paths(tmp_path: Path, monkeypatch) -> None:
    import os

    from minimise.discover import _relative

    def by_pathlib(path: Path, root: Path) -> str:
        try:
            return Path(os.path.normpath(path.absolute())).relative_to(os.path.normpath(root.absolute())).as_posix()
        except ValueError:
            return path.as_posix()

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app" / "sub").mkdir(parents=True)
    cases = [
        (tmp_path / "app" / "a.py", tmp_path),
        (tmp_path / "app" / "sub" / ".." / "a.py", tmp_path / "app"),
        (Path("app/sub/b.py"), Path(".")),
        (Path("app/sub/b.py"), Path("app")),
        (Path("app"), Path("app/")),
        (tmp_path / "other.py", tmp_path / "app"),
        (tmp_path / "apple.py", tmp_path / "app"),
        (tmp_path / "app" / "a.py", Path("/")),
    ]
    assert [_relative(p, r) for p, r in cases] == [by_pathlib(p, r) for p, r in cases]
    assert [_relative(p, r) for p, r in cases][:5] == ["app/a.py", "a.py", "app/sub/b.py", "sub/b.py", "."]
