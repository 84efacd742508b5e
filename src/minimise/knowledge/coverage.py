"""The coverage table (library, action, what counts as the data), rendered from the rule files."""

from __future__ import annotations

from typing import Any

from minimise.knowledge.reader import RuleDocument

GENERATED = "<!-- Generated from rules/*.yaml by scripts/generate_coverage.py; do not edit by hand. -->"
README_START = "<!-- coverage:start -->"
README_END = "<!-- coverage:end -->"
ACTIONS = ("collect", "store", "log", "share")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _source_rows(sources: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for entry in sources.get("requests") or []:
        held = ", ".join(f"`{o}`" for o in entry.get("objects") or [])
        params = ", ".join(f"`{p}`" for p in (entry.get("params") or []) + (entry.get("attributes") or []))
        how = "; ".join(x for x in (held, f"a request parameter named {params}" if params else "") if x)
        rows.append((entry["id"], f"fields read from the request ({how})"))
    for entry in sources.get("schemas") or []:
        rows.append((entry["id"], "declared fields of " + ", ".join(f"`{b}`" for b in entry.get("bases") or [])))
    for entry in sources.get("input_functions") or []:
        rows.append((entry["function"], "the typed value, named by the prompt or the receiving variable"))
    routes = sources.get("routes") or {}
    receivers = ", ".join(f"`{r}`" for r in routes.get("receivers") or [])
    rows.append(("route decorators", f"personally named parameters of functions decorated on {receivers}"))
    return rows


def coverage_rows(documents: dict[str, RuleDocument]) -> list[dict[str, str]]:
    """One row per source and sink entry: library, action, recipient, what counts as the data, rule id."""
    rows = [
        {"library": name, "action": "collect", "recipient": "", "data": data, "id": name}
        for name, data in _source_rows(documents["sources.yaml"].data)
    ]
    for entry in documents["sinks.yaml"].data.get("sinks") or []:
        rows.append(
            {
                "library": str(entry.get("library", entry["id"])),
                "action": str(entry["action"]),
                "recipient": str(entry.get("vendor", "the URL's host" if entry.get("kind") == "http" else "")),
                "data": str(entry.get("data", "")),
                "id": str(entry["id"]),
            }
        )
    for entry in documents["sinks.yaml"].data.get("models") or []:
        bases = ", ".join(f"`{b}`" for b in entry.get("bases") or [])
        rows.append(
            {
                "library": str(entry["id"]),
                "action": "store",
                "recipient": "",
                "data": f"personal fields of models built on {bases}",
                "id": str(entry["id"]),
            }
        )
    return sorted(rows, key=lambda r: ACTIONS.index(r["action"]))


def render_coverage_page(documents: dict[str, RuleDocument]) -> str:
    rows = coverage_rows(documents)
    lines = [
        "# What minimise finds",
        "",
        GENERATED,
        "",
        "Every row is an entry of `rules/sources.yaml` or `rules/sinks.yaml` with its own examples,",
        "run by the test suite and by `minimise test-rules`. For shared data, *recipient* is the vendor",
        "the data inventory names; for plain HTTP it is the host of the URL.",
        "",
        f"{len(rows)} entries: " + ", ".join(f"{sum(r['action'] == a for r in rows)} {a}" for a in ACTIONS) + ".",
        "",
        "| library | action | recipient | what counts as the data | rule |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        cells = (_cell(row["library"]), row["action"], _cell(row["recipient"]), _cell(row["data"]), f"`{row['id']}`")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Protection",
        "",
        "Calls whose result protects the data (`rules/sanitizers.yaml`): protected data that is logged or",
        "shared is not reported; stored, it is reported with its protection.",
        "",
        "| protection | recognised by | rule |",
        "|---|---|---|",
    ]
    for entry in documents["sanitizers.yaml"].data.get("sanitizers") or []:
        by = [f"`{f}`" for f in entry.get("functions") or []] + [f"`{m}()`" for m in entry.get("method_names") or []]
        if entry.get("name_words"):
            by.append("helpers named with " + ", ".join(f"`{w}`" for w in entry["name_words"]))
        lines.append(f"| {entry['protection']} | {_cell(', '.join(by))} | `{entry.get('id', entry['protection'])}` |")
    return "\n".join(lines) + "\n"


def render_readme_table(documents: dict[str, RuleDocument]) -> str:
    """The README's short table: per action, the libraries covered (the full table is docs/coverage.md)."""
    by_action: dict[str, list[str]] = {a: [] for a in ACTIONS}
    for row in coverage_rows(documents):
        name = row["library"]
        if name not in by_action[row["action"]]:
            by_action[row["action"]].append(name)
    lines = [README_START, "| action | where |", "|---|---|"]
    for action in ACTIONS:
        lines.append(f"| {action} | {_cell('; '.join(by_action[action]))} |")
    lines += [
        "",
        "The full table, with what counts as the data at each: [docs/coverage.md](docs/coverage.md).",
        README_END,
    ]
    return "\n".join(lines)


def replace_readme_table(readme: str, table: str) -> str:
    """Swap the generated table into the README between its markers."""
    start, end = readme.index(README_START), readme.index(README_END) + len(README_END)
    return readme[:start] + table + readme[end:]
