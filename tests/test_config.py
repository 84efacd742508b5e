"""Configuration files, command-line precedence, `minimise config` and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.config import ConfigError, find_config_file, load_config

LEAKY = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / ".git").mkdir()  # the search for configuration stops here
    (tmp_path / "app.py").write_text(LEAKY, encoding="utf-8")
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_defaults_without_a_file(project: Path) -> None:
    config = load_config(project)
    assert config.file is None
    assert config["fail_on"] == "note" and config["format"] == "text" and config["jobs"] == 0
    assert set(config.sources.values()) == {"default"}


@pytest.mark.parametrize(
    "name,body",
    [
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.minimise]\nfail_on = "error"\nignore = ["MIN4"]\n'),
        ("minimise.toml", '[tool.minimise]\nfail_on = "error"\nignore = ["MIN4"]\n'),
        ("minimise.toml", 'fail_on = "error"\nignore = ["MIN4"]\n'),
        (".minimise.toml", 'fail_on = "error"\nignore = ["MIN4"]\n'),
    ],
)
def test_file_forms(project: Path, name: str, body: str) -> None:
    (project / name).write_text(body, encoding="utf-8")
    config = load_config(project)
    assert config.file == project / name
    assert config["fail_on"] == "error" and config["ignore"] == ["MIN4"]
    assert config.sources["fail_on"] == name and config.sources["jobs"] == "default"


def test_pyproject_without_table_is_skipped(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config_file(project) is None


def test_found_from_a_subfolder_and_paths_are_relative_to_the_file(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "minimise.toml").write_text(
        'inventory = "privacy/inventory.yaml"\nrules = ["r.yaml"]\n', encoding="utf-8"
    )
    config = load_config(project / "pkg")
    assert config["inventory"] == str(Path("privacy/inventory.yaml"))
    assert config["rules"] == ["r.yaml"]


def test_search_stops_at_the_repository_top(project: Path) -> None:
    (project.parent / "minimise.toml").write_text('fail_on = "error"\n', encoding="utf-8")
    try:
        assert find_config_file(project) is None
    finally:
        (project.parent / "minimise.toml").unlink()


def test_unknown_key_names_key_file_and_line(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.minimise]\nfail_on = "error"\nfial_on = 1\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"^pyproject\.toml:6: unknown key 'fial_on'"):
        load_config(project)
    code, out, err = invoke("scan", "app.py")
    assert code == 2 and out == ""
    assert err.startswith("minimise: error: pyproject.toml:6: unknown key 'fial_on'")


def test_wrong_type_and_bad_choice(project: Path) -> None:
    (project / "minimise.toml").write_text('jobs = "four"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"minimise\.toml:1: jobs: expected a whole number"):
        load_config(project)
    (project / "minimise.toml").write_text('\n\nfail_on = "fatal"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"minimise\.toml:3: fail_on: expected one of note, warning, error"):
        load_config(project)


def test_invalid_toml(project: Path) -> None:
    (project / "minimise.toml").write_text('fail_on = "error"\nselect = [\n', encoding="utf-8")
    code, _out, err = invoke("scan", "app.py")
    assert code == 2 and "minimise.toml:" in err and "invalid TOML" in err


def test_config_command_shows_sources(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.minimise]\nfail_on = "error"\nignore = ["MIN4"]\njobs = 2\n', encoding="utf-8"
    )
    code, out, _err = invoke("config", "--jobs", "3", "--select", "MIN3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# configuration file: pyproject.toml"
    assert 'fail_on                    = "error"  # pyproject.toml' in lines
    assert 'ignore                     = ["MIN4"]  # pyproject.toml' in lines
    assert "jobs                       = 3  # command line" in lines
    assert 'select                     = ["MIN3"]  # command line' in lines
    assert 'format                     = "text"  # default' in lines
    code, out, _err = invoke("config", "--json", "--fail-on", "warning")
    data = json.loads(out)
    assert data["settings"]["fail_on"] == {"value": "warning", "source": "command line"}
    assert data["settings"]["jobs"] == {"value": 2, "source": "pyproject.toml"}


def test_fail_on_threshold_and_cli_override(project: Path) -> None:
    # The email log is a warning: fail_on = "error" lets it pass, the command line can tighten it again.
    code, out, _ = invoke("scan", "app.py", "--no-cache")
    assert code == 1 and "app.py:7:" in out
    (project / "minimise.toml").write_text('fail_on = "error"\n', encoding="utf-8")
    code, out, _ = invoke("scan", "app.py", "--no-cache")
    assert code == 0 and "app.py:7:32: MIN301" in out
    code, _, _ = invoke("scan", "app.py", "--no-cache", "--fail-on", "warning")
    assert code == 1


def test_select_ignore_and_format_from_file(project: Path) -> None:
    (project / "minimise.toml").write_text('ignore = ["MIN301"]\nformat = "json"\n', encoding="utf-8")
    code, out, _ = invoke("scan", "app.py", "--no-cache")
    assert code == 0 and json.loads(out)["findings"] == []
    code, out, _ = invoke("scan", "app.py", "--no-cache", "--ignore", "MIN9", "--format", "text")
    assert code == 1 and "app.py:7:32: MIN301" in out


def test_include_and_exclude(project: Path) -> None:
    (project / "src").mkdir()
    (project / "src" / "a.py").write_text(LEAKY, encoding="utf-8")
    (project / "src" / "gen").mkdir()
    (project / "src" / "gen" / "b.py").write_text(LEAKY, encoding="utf-8")
    (project / "minimise.toml").write_text('include = ["src"]\nexclude = ["gen/"]\n', encoding="utf-8")
    code, out, _ = invoke("scan", "--no-cache")
    assert code == 1
    # Text output names files as they open from the current folder.
    assert [line.split(":")[0] for line in out.splitlines() if ": MIN" in line] == ["src/a.py"]


def test_unknown_format_is_a_usage_error(project: Path) -> None:
    (project / "minimise.toml").write_text('format = "yaml"\n', encoding="utf-8")
    code, _, err = invoke("scan", "app.py")
    assert code == 2 and "unknown format 'yaml'" in err


def test_every_renderer_name_is_accepted(project: Path) -> None:
    from minimise.report import RENDERERS

    for name in RENDERERS:
        try:
            __import__(RENDERERS[name].split(":")[0])
        except ImportError:
            continue  # being written by someone else
        code, _, err = invoke("scan", "app.py", "--no-cache", "--format", name)
        assert code == 1, (name, err)


def test_explicit_config_file(project: Path) -> None:
    (project / "other.toml").write_text('[tool.minimise]\nselect = ["MIN2"]\n', encoding="utf-8")
    code, _, _ = invoke("scan", "app.py", "--no-cache", "--config", "other.toml")
    assert code == 0
    code, _, err = invoke("scan", "app.py", "--config", "missing.toml")
    assert code == 2 and "missing.toml" in err


def test_progress_only_for_big_scans_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from minimise.commands.scan_cmd import Progress, progress_wanted

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    assert progress_wanted(Tty()) is True
    assert progress_wanted(io.StringIO()) is False
    monkeypatch.setenv("CI", "true")
    assert progress_wanted(Tty()) is False

    small, big = Tty(), Tty()
    bar = Progress(small)
    for done in range(201):
        bar(done, 200)
    bar.close()
    assert small.getvalue() == ""
    bar = Progress(big)
    bar(0, 500)
    bar(500, 500)
    bar.close()
    assert "minimise: 500/500 files (100%)" in big.getvalue() and "files/s, ETA" in big.getvalue()
    assert big.getvalue().endswith("\r\033[K")
