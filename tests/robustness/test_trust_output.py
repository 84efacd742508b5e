"""Outputs never carry terminal control or planted personal data and secrets from the scanned code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import LEAK, init_repo

from minimise.redact import redact_text
from minimise.report.markdown import escape_cell
from minimise.terminal import printable

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# One literal of each class the masking covers, as a hostile or careless author writes them.
LITERALS = {
    "email": "alice.smith@example.org",
    "card": "4111 1111 1111 1111",
    "iban": "GB82WEST12345698765432",
    "ssn": "078-05-1120",
    "phone": "+33 6 12 34 56 78",
    "phone_us": "(555) 867-5309",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "stripe": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "github": "ghp_" + "A1b2C3d4E5" * 4,
    "slack": "xoxb-123456789012-abcdefghijkl",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "passport": "passport 925665416",  # nine bare digits are only a passport number when named so
    "nino": "QQ123456C",
    "dob": "1990-04-12",
}


def test_printable_escapes_every_unsafe_character() -> None:
    assert printable("zz\x1b[8A\x1b[J.py") == "zz\\x1b[8A\\x1b[J.py"
    assert printable("a\nb\rc\x07d\x9be\u202ef\u2066g\u2028") == "a\\nb\\rc\\x07d\\x9be\\u202ef\\u2066g\\u2028"
    assert printable("Grüße ok") == "Grüße ok"
    assert escape_cell("x\x1b]0;pwned\x07") == "x\\\\x1b\\]0;pwned\\\\x07"


@pytest.mark.parametrize("name", sorted(LITERALS))
def test_each_class_is_masked(name: str) -> None:
    literal = LITERALS[name]
    context = {"dob": "date_of_birth="}.get(name, "value ")
    masked = redact_text(f"{context}{literal} end")
    assert literal.split(" ", 1)[-1] not in masked and masked.endswith(" end") and "[" in masked


def _run(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minimise", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    values["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    return values


def test_control_characters_in_names_and_identifiers_never_reach_the_terminal(
    tmp_path: Path, env: dict[str, str]
) -> None:
    hostile_name = "zz\x1b[8A\x1b[J\u202e.py"
    identifier_code = (
        "import logging\nlog = logging.getLogger(__name__)\n\n"
        "def f(request):\n"
        '    email = request.form["\\x1b]0;owned\\x07email"]\n'
        "    log.info(email)\n"
    )
    repo = init_repo(tmp_path / "repo", {hostile_name: LEAK, "nl\nname.py": LEAK, "ident.py": identifier_code})
    for fmt in ("text", "markdown"):
        done = _run(repo, "scan", ".", "--format", fmt, "--data-points", "--no-inventory", env=env)
        assert done.returncode == 1, done.stderr
        assert not RAW_CONTROL.search(done.stdout), repr(done.stdout)
        shown = done.stdout if fmt == "text" else done.stdout.replace("\\", "")
        expected = "zz\\x1b[8A\\x1b[J\\u202e.py" if fmt == "text" else "zzx1b[8Ax1b[Ju202e.py"
        assert expected in shown
        assert ("nl\\nname.py" if fmt == "text" else "nl name.py") in shown
        # Every finding stays one line: the newline in a file name cannot start another.
        finding_lines = [line for line in done.stdout.splitlines() if "MIN301" in line]
        assert len(finding_lines) == 3
        assert not RAW_CONTROL.search(done.stderr)


def test_planted_literals_are_absent_from_every_output_and_the_cache(tmp_path: Path, env: dict[str, str]) -> None:
    lines = ["import logging", "log = logging.getLogger(__name__)", "", "", "def f(user, data):"]
    for name, literal in LITERALS.items():
        lines.append(f'    log.info("{name} {literal} %s", user.email)  # {literal}')
        lines.append(f'    log.info(data["{literal}"])')
    body = "\n".join(lines) + "\n"
    broken = f'email = "{LITERALS["phone"]} {LITERALS["stripe"]}\n'  # a tokenizer error quoting literals
    repo = init_repo(tmp_path / "repo", {"app.py": body, "broken.py": broken})
    outputs = []
    for fmt in ("text", "json", "sarif", "html", "markdown"):
        done = _run(repo, "scan", ".", "--format", fmt, "--data-points", "--no-inventory", env=env)
        assert done.returncode == 1, done.stderr
        assert "broken.py" in done.stdout
        outputs += [done.stdout, done.stderr]
    done = _run(repo, "scan", ".", "-o", "report.html", "--format", "html", "--no-inventory", env=env)
    outputs.append((repo / "report.html").read_text(encoding="utf-8"))
    for line in range(6, 6 + 2 * len(LITERALS)):
        done = _run(repo, "explain", f"app.py:{line}", env=env)
        assert done.returncode == 0, done.stderr
        outputs += [done.stdout, done.stderr]
    done = _run(repo, "explain", "broken.py:1", env=env)
    assert done.returncode == 2 and "broken.py" in done.stderr
    outputs.append(done.stderr)
    outputs += [p.read_text(encoding="utf-8") for p in Path(env["XDG_CACHE_HOME"]).rglob("*.json")]
    everything = "\n".join(outputs)
    leaked = [name for name, literal in LITERALS.items() if literal.split(" ", 1)[-1] in everything]
    assert leaked == [], [o[max(0, o.find("34 56 78") - 200) :][:300] for o in outputs if "34 56 78" in o]
