"""What operator commands print, and what reaches no one: findings on whole scans, asserted exactly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
MINIMISE = str(Path(sys.executable).parent / "minimise")


def _findings(root: Path) -> list[tuple[str, str, int, str]]:
    done = subprocess.run(
        [MINIMISE, "scan", ".", "--no-inventory", "--no-cache", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    return sorted((f["code"], f["path"], f["line"], f["category"]) for f in report["findings"])


def test_operator_commands_report_only_secrets_they_print(tmp_path: Path) -> None:
    """A click or Django command echoing an account back is not logging; a token on its console is."""
    shutil.copy(CORPUS / "logging" / "operator_commands.py", tmp_path / "commands.py")
    assert _findings(tmp_path) == [
        ("MIN301", "commands.py", 44, "user.contact.email"),  # print in a web view goes to the server's logs
        ("MIN303", "commands.py", 27, "user.authorization.credentials"),
    ]


def test_an_interactive_admin_console_prints_to_its_operator(tmp_path: Path) -> None:
    """A menu read with input() and its helpers print to the operator; its logger still logs."""
    shutil.copy(CORPUS / "logging" / "interactive_admin.py", tmp_path / "admin.py")
    assert _findings(tmp_path) == [("MIN301", "admin.py", 22, "user.contact.email")]


def test_a_maintenance_script_prints_to_its_operator(tmp_path: Path) -> None:
    """Top-level statements of a script and the helpers its `__main__` block calls print to its operator."""
    shutil.copy(CORPUS / "logging" / "maintenance_scripts.py", tmp_path / "promote.py")
    assert _findings(tmp_path) == [
        ("MIN301", "promote.py", 15, "user.contact.email"),  # its logger still logs
        ("MIN301", "promote.py", 20, "user.contact.email"),  # a function the script never calls
        ("MIN303", "promote.py", 38, "user.financial.credit_card"),
    ]


def test_task_queue_and_signed_token_are_not_third_party_sharing(tmp_path: Path) -> None:
    (tmp_path / "signup.py").write_text(
        "import jwt\n"
        "import requests\n"
        "from kafka import KafkaProducer\n"
        "from shop.tasks import send_welcome\n"
        "producer = KafkaProducer(bootstrap_servers='kafka:9092')\n"
        "def signup(user, key):\n"
        "    send_welcome.delay(user.id, user.email)\n"
        "    token = jwt.encode({'email': user.email}, key, algorithm='HS256')\n"
        "    producer.send('signups', value=user.email)\n"
        "    requests.post('https://crm.vendor.io/leads', json={'email': user.email})\n"
        "    return token\n",
        encoding="utf-8",
    )
    assert _findings(tmp_path) == [
        ("MIN401", "signup.py", 9, "user.contact.email"),  # a stream other consumers read
        ("MIN401", "signup.py", 10, "user.contact.email"),
    ]
