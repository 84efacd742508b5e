"""A team's rule files: every section extends the shipped rules, errors name the file, examples run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from minimise.knowledge import RULE_FILES, load_knowledge, rules_dir, shipped_documents
from minimise.knowledge.reader import SECTIONS
from minimise.knowledge.schema import SCHEMA_FILES, schema_file_name
from minimise.knowledge.sinks import UNNAMED_RECIPIENT_KINDS
from minimise.yamlio import YamlError

REPO = Path(__file__).resolve().parents[1]
TEAM = REPO / "tests" / "fixtures" / "rules" / "team.yaml"


def _minimise(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "minimise", *args], capture_output=True, text=True, cwd=cwd)


def _schema(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((rules_dir() / "schema" / schema_file_name(name)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("script", ["generate_rule_schemas.py", "generate_coverage.py"])
def test_generated_files_are_up_to_date(script: str) -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", RULE_FILES)
def test_each_shipped_rule_file_matches_its_published_schema(name: str) -> None:
    data = yaml.safe_load((rules_dir() / name).read_text(encoding="utf-8"))
    jsonschema.validate(data, _schema(name))


def test_the_team_schema_accepts_every_section_and_rejects_unknown_keys() -> None:
    schema = _schema("team.yaml")
    data = yaml.safe_load(TEAM.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert set(data) == {k for keys in SECTIONS.values() for k in keys} | {"version", "examples", "non_personal"}
    data["sinks"][0]["reciever"] = "typo"
    with pytest.raises(jsonschema.ValidationError, match="reciever"):
        jsonschema.validate(data, schema)
    assert {schema_file_name(n) for n in SCHEMA_FILES} == {p.name for p in (rules_dir() / "schema").glob("*.json")}


def test_a_team_file_extends_every_section() -> None:
    k = load_knowledge((str(TEAM),))
    assert "golfer" in k.classifier.person
    assert "rubric" in k.classifier.exclude_words
    assert "blurred" in k.classifier.protection_words["masked"]
    assert k.sensitivity_of("user.contact.email") == "high"
    assert k.classifier.is_text("user.financial.bank_account") and k.classifier.is_text("user.contact.email")
    assert "payload_fields" in k.containers and k.request_values["client_ip"] == "user.device.ip_address"
    assert "acme.cli.ask" in k.input_functions and "endpoint" in k.route_methods
    assert [s.id for s in k.schemas][-1] == "acme.forms" and [m.id for m in k.model_kinds][-1] == "acme.orm"
    assert k.sinks[-1].id == "acme.mailer" and k.sinks[-1].vendor == "Acme Mail"
    assert k.sanitizers[-1].id == "acme.seal"
    assert "acme.metrics.bucket" in k.cleaners and "fingerprint_of" in k.cleaning_methods
    assert "acme.text.wrap" in k.propagator_functions
    assert "ACME001" in k.checks and "MIN401" in k.checks
    assert "explanation" in k.frameworks.exception_message_keywords and "stash" in k.frameworks.mutators
    assert "append" in k.frameworks.mutators  # appended to the shipped list, not replacing it
    # the shipped knowledge is untouched by the team's file
    assert "acme.mailer" not in {s.id for s in load_knowledge().sinks}


def test_test_rules_runs_a_team_files_examples() -> None:
    result = _minimise("test-rules", str(TEAM))
    assert result.returncode == 0, result.stdout + result.stderr
    # one example for each of 7 entries, two for the file, and the check's two tests
    assert result.stdout.splitlines()[-1] == "11 examples, 0 failures"


def test_test_rules_runs_the_shipped_rule_files() -> None:
    result = _minimise("test-rules", *(str(rules_dir() / n) for n in RULE_FILES))
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(load_knowledge().snippets) + sum(len(c.tests) for c in load_knowledge().checks.values())
    assert result.stdout.splitlines()[-1] == f"{count} examples, 0 failures"


def test_a_failing_example_names_the_rule_file_line(tmp_path: Path) -> None:
    team = tmp_path / "privacy-rules.yaml"
    team.write_text(
        "version: 1\n"
        "sinks:\n"
        "  - id: acme.pager\n"
        "    action: share\n"
        "    kind: sms\n"
        "    vendor: Acme Pager\n"
        "    functions: [acme.pager.page]\n"
        "    examples:\n"
        "      - |\n"
        "        from acme.pager import page\n"
        "        def alert(user):\n"
        "            page(user.phone)  # expect: share user.contact.email\n"
        "            page(user.email)\n",
        encoding="utf-8",
    )
    result = _minimise("test-rules", str(team))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{team}:12: sinks:acme.pager: expected share user.contact.email, found share user.contact.phone_number",
        f"{team}:13: sinks:acme.pager: unexpected share user.contact.email",
        "1 example, 2 failures",
    ]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("sinks:\n  - id: x\n    action: send\n", 5, "sinks.0.action: expected store, log or share"),
        ("sinks:\n  - id: x\n    action: share\n    kind: email\n", 4, "sinks.0: a share sink names its recipient"),
        ("requests:\n  - id: r\n    object: [a.b]\n", 5, "requests.0.object: unknown key"),
        ("sanitizers:\n  - protection: salted\n", 4, "sanitizers.0.protection: expected hashed"),
        ("routes:\n  decorator_method: [x]\n", 4, "routes.decorator_method: unknown key"),
        ("schemas:\n  - id: s\n    examples: ['def f(:']\n", 5, "schemas.0.examples.0: example is not valid Python"),
        ("checks:\n  - code: MIN401\n", 4, "checks.0"),
        ("frobnicate: []\n", 3, "frobnicate: unknown key"),
        ("frameworks:\n  mutator: [stash]\n", 4, "frameworks.mutator: unknown key"),
        ("frameworks:\n  mutators: stash\n", 4, "frameworks.mutators: expected a list of strings"),
        ("frameworks:\n  store_receivers:\n    acme: acme.orm\n", 5, "frameworks.store_receivers.acme: unknown kind"),
        ("frameworks:\n  form_kinds: [acme.forms]\n", 4, "frameworks.form_kinds.0: unknown schema kind"),
        (
            "frameworks:\n  deferred_calls:\n    schedule: target\n",
            5,
            "frameworks.deferred_calls.schedule: expected a position (0) or NAME@POSITION words",
        ),
        ("frameworks:\n  deferred_calls:\n    later: args@1 kwargs@2\n", 5, "frameworks.deferred_calls.later"),
    ],
)
def test_errors_in_a_team_file_name_that_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    team = tmp_path / "team.yaml"
    team.write_text("# ours\nversion: 1\n" + body, encoding="utf-8")
    with pytest.raises(YamlError) as caught:
        load_knowledge((str(team),))
    assert caught.value.path == str(team)
    assert caught.value.line == line
    assert caught.value.message.startswith(message)
    result = _minimise("test-rules", str(team))
    assert result.returncode == 2
    assert result.stderr.startswith(f"minimise: error: {team}:{line}: {message}")


def test_shipped_sinks_document_library_data_and_recipient() -> None:
    for entry in shipped_documents()["sinks.yaml"].data["sinks"]:
        assert entry.get("library") and entry.get("data"), entry["id"]
        if entry["action"] == "share" and entry.get("kind") not in UNNAMED_RECIPIENT_KINDS:
            assert entry.get("vendor"), entry["id"]
    assert {s.id: s.vendor for s in load_knowledge().sinks}["twilio"] == "Twilio"


def test_shipped_framework_names_refer_to_shipped_kinds() -> None:
    k = load_knowledge()
    models, schemas = {m.id for m in k.model_kinds}, {s.id for s in k.schemas}
    assert set(k.frameworks.store_receivers.values()) <= models
    assert set(k.frameworks.collect_receivers.values()) <= schemas
    assert k.frameworks.form_kinds <= schemas
