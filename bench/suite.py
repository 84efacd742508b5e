"""The benchmark's workloads on one laid-out tree, and the issue's targets checked against their runs."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator import PD_REGEX
from measure import Ratio, Workload, ratio, run_once, spread, verdict
from peers import Peers

AST_HELPER = (
    "import ast, sys\n"
    "bad = 0\n"
    "for p in open(sys.argv[1]).read().splitlines():\n"
    "    with open(p, 'rb') as f:\n"
    "        src = f.read()\n"
    "    try:\n"
    "        ast.parse(src, p)\n"
    "    except (SyntaxError, ValueError):\n"
    "        bad += 1\n"
    "print('unparsable', bad)\n"
)
CST_HELPER = (
    AST_HELPER.replace("import ast, sys", "import libcst, sys")
    .replace("ast.parse(src, p)", "libcst.parse_module(src)")
    .replace("(SyntaxError, ValueError)", "Exception")
)
# flake8's own default checks, named so that MIN is not selected (plugins are on by default).
FLAKE8_DEFAULT = "--select=E,F,W,C90"


@dataclass
class Tree:
    """One laid-out input and the facts the report prints about it."""

    name: str
    root: Path
    described: str
    files: list[Path] = field(default_factory=list)
    lines: int = 0
    regex_lines: int = 0
    prefilter_files: int = 0
    prefilter_lines: int = 0
    plain_files: list[Path] = field(default_factory=list)  # the prefilter skips them whole

    def measure(self) -> None:
        from minimise.discover import discover
        from minimise.knowledge import load_knowledge
        from minimise.prefilter import Prefilter

        self.files = [t.path for t in discover([self.root], self.root)]
        prefilter = Prefilter(load_knowledge((), ()))
        for path in self.files:
            raw = path.read_bytes()
            count = raw.count(b"\n")
            self.lines += count
            if PD_REGEX.search(raw):
                self.regex_lines += count
            if prefilter.wants(raw) or prefilter.wants_summary(raw):
                self.prefilter_files += 1
                self.prefilter_lines += count
            elif raw.strip() and not path.name == "__init__.py":
                self.plain_files.append(path)


@dataclass
class Env:
    """The two Pythons: minimise's (with its flake8 plugin) and the baselines' clean virtualenv."""

    minimise: str  # the minimise executable
    flake8_with_plugin: str
    peers: Peers
    work: Path  # the run's temporary folder: every cache lives under it

    def cache_env(self, folder: Path) -> dict[str, str]:
        """The environment of a run whose user cache (minimise's result cache) is ``folder``."""
        return {**os.environ, "XDG_CACHE_HOME": str(folder)}

    def fresh_cache(self) -> tuple[dict[str, str], Callable[[], None], Callable[[], None]]:
        """An environment whose cache folder is made empty before every run and removed after it."""
        folder = Path(tempfile.mkdtemp(prefix="cold-cache-", dir=self.work))
        shutil.rmtree(folder)

        def before() -> None:
            folder.mkdir()

        def after() -> None:
            shutil.rmtree(folder, ignore_errors=True)

        return self.cache_env(folder), before, after


def _listing(env: Env, name: str, files: list[Path]) -> Path:
    path = env.work / f"{name}.txt"
    path.write_text("".join(f"{p}\n" for p in files))
    return path


def tree_workloads(tree: Tree, env: Env, full: bool) -> dict[str, Workload]:
    """The whole-tree rows; ``full`` adds libcst, warm, bandit and the flake8 rows (the dense tree)."""
    files = [str(p) for p in tree.files]
    listing = _listing(env, tree.name, tree.files)
    n, lines = len(files), tree.lines
    out: dict[str, Workload] = {}

    def add(key: str, label: str, argv: list[str], **extra) -> None:
        out[key] = Workload(key, label, argv, n, lines, cwd=tree.root, **extra)

    python = env.peers.python
    add("ast", "(a) ast.parse, every file, 1 process", [python, "-c", AST_HELPER, str(listing)])
    if full:
        add("cst", "(b) libcst.parse_module, every file, 1 process", [python, "-c", CST_HELPER, str(listing)])
    cold_env, before, after = env.fresh_cache()
    scan = [env.minimise, "scan", ".", "--format", "json"]
    add("cold", "(c) minimise scan, cold (empty cache)", scan, env=cold_env, before=before, after=after)
    if not full:
        return out
    warm_cache = env.work / f"{tree.name}-warm-cache"
    run_once(scan, tree.root, env.cache_env(warm_cache))  # fills it, untimed
    add("warm", "(d) minimise scan, warm (nothing changed)", scan, env=env.cache_env(warm_cache))
    add("bandit", "(f) bandit -r -q -f json", [env.peers.tool("bandit"), "-r", "-q", "-f", "json", *files])
    add(
        "fl_alone",
        f"(h) flake8 {FLAKE8_DEFAULT}, no minimise",
        [env.peers.tool("flake8"), "--isolated", FLAKE8_DEFAULT, *files],
    )
    add(
        "fl_installed",
        f"(i) flake8 {FLAKE8_DEFAULT}, minimise installed",
        [env.flake8_with_plugin, "--isolated", FLAKE8_DEFAULT, *files],
    )
    with_min = [env.flake8_with_plugin, "--isolated", FLAKE8_DEFAULT + ",MIN", *files]
    fl_env, fl_before, fl_after = env.fresh_cache()
    add("fl_min_cold", "(j) flake8 …,MIN, cold (empty cache)", with_min, env=fl_env, before=fl_before, after=fl_after)
    fl_cache = env.work / f"{tree.name}-flake8-cache"
    run_once(with_min, tree.root, env.cache_env(fl_cache))
    add("fl_min_warm", "(k) flake8 …,MIN, warm", with_min, env=env.cache_env(fl_cache))
    return out


def five_workloads(tree: Tree, env: Env) -> tuple[dict[str, Workload], list[str]]:
    """The pre-commit rows, in a copy of the tree whose five files get a new edit before every run."""
    copy = env.work / f"{tree.name}-five"
    shutil.copytree(tree.root, copy, symlinks=True)
    cache = env.work / f"{tree.name}-five-cache"
    report = env.work / f"{tree.name}-five.json"
    run_once([env.minimise, "scan", ".", "--format", "json", "-o", str(report)], copy, env.cache_env(cache))
    five = pick_five(report, copy)
    lines = sum((copy / f).read_bytes().count(b"\n") for f in five)
    counter = iter(range(1, 1_000_000))

    def edit() -> None:
        number = next(counter)
        for name in five:
            edit_one_line(copy / name, number)

    listing = _listing(env, f"{tree.name}-five", [copy / f for f in five])
    out = {
        "ast5": Workload(
            "ast5",
            "(a5) ast.parse, the 5 files",
            [env.peers.python, "-c", AST_HELPER, str(listing)],
            5,
            lines,
            cwd=copy,
        ),
        "five": Workload(
            "five",
            "(e) minimise scan of 5 changed files",
            [env.minimise, "scan", *five, "--format", "json"],
            5,
            lines,
            cwd=copy,
            env=env.cache_env(cache),
            before=edit,
        ),
        "fl5": Workload(
            "fl5",
            f"(g) flake8 {FLAKE8_DEFAULT}, the 5 files",
            [env.peers.tool("flake8"), "--isolated", FLAKE8_DEFAULT, *five],
            5,
            lines,
            cwd=copy,
        ),
    }
    return out, five


def libcst_imported(tree: Tree, env: Env) -> tuple[list[bool], list[str]]:
    """Whether scans of five files with nothing personal import libcst, run after run (as in a hook).

    The cache is the one a full scan filled. The first run may still parse the files a full scan
    leaves out (tests) to summarise the project; the second shows the steady state.
    """
    plain = [p.relative_to(tree.root).as_posix() for p in tree.plain_files[:5]]
    if not plain:
        return [], plain
    cache = env.work / f"{tree.name}-warm-cache"
    environment = {**env.cache_env(cache), "PYTHONPROFILEIMPORTTIME": "1"}
    seen = []
    for _ in range(2):
        done = subprocess.run(
            [env.minimise, "scan", *plain, "--format", "json"],
            cwd=tree.root,
            env=environment,
            capture_output=True,
            text=True,
        )
        seen.append(any(line.rstrip().endswith("| libcst") for line in done.stderr.splitlines()))
    return seen, plain


def pick_five(report_path: Path, root: Path) -> list[str]:
    """Five files with personal data (most data points first, at most 600 lines each)."""
    counts: dict[str, int] = {}
    try:
        for point in json.loads(report_path.read_text()).get("data_points", []):
            counts[point["path"]] = counts.get(point["path"], 0) + 1
    except (OSError, ValueError, KeyError):
        pass
    picked = []
    for rel in sorted(counts, key=lambda p: (-counts[p], p)):
        path = root / rel
        if path.is_file() and path.read_bytes().count(b"\n") <= 600:
            picked.append(rel)
        if len(picked) == 5:
            break
    return picked


def edit_one_line(path: Path, number: int) -> None:
    """Change one line: a trailing comment on the last complete logical line (keeps it valid)."""
    text = path.read_text()
    target = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NEWLINE:
                target = token.start[0]
            elif token.type == tokenize.COMMENT and target == token.start[0]:
                target = None
    except (tokenize.TokenError, SyntaxError):
        target = None
    lines = text.splitlines(keepends=True)
    if target is None:
        lines.append(f"# bench edit {number}\n")
    else:
        line = lines[target - 1].rstrip("\r\n")
        lines[target - 1] = re.sub(r"  # bench edit \d+$", "", line) + f"  # bench edit {number}\n"
    new = "".join(lines)
    ast.parse(new)
    path.write_text(new)


@dataclass
class Target:
    name: str
    where: str
    measured: str
    state: str  # met, missed, unclear, n/a


def check(
    by: dict[str, Workload], sparse: dict[str, Workload], curve: list[dict], imported: list[bool]
) -> list[Target]:
    out: list[Target] = []

    def against(name: str, where: str, value: Ratio | None, limit: float, unit: str) -> None:
        shown = f"{value.shown()}{unit}" if value else "not run"
        out.append(Target(name, where, shown, verdict(value, limit)))

    against("cold ≤ 0.5× plain libcst parse", "dense", ratio(by.get("cold"), by.get("cst")), 0.5, "× libcst")
    against("cold ≤ 0.4× bandit", "dense", ratio(by.get("cold"), by.get("bandit")), 0.4, "× bandit")
    against("cold ≤ 4× ast.parse", "sparse", ratio(sparse.get("cold"), sparse.get("ast")), 4.0, "× ast")
    against("warm ≤ 0.5× ast.parse", "dense", ratio(by.get("warm"), by.get("ast")), 0.5, "× ast")
    five = by.get("five")
    against("5 changed files < 0.3 s", "dense", spread(five.walls()) if five else None, 0.3, " s")
    against("5 changed files ≤ 2× flake8", "dense", ratio(five, by.get("fl5")), 2.0, "× flake8")
    said = {True: "imported", False: "not imported"}
    out.append(
        Target(
            "nothing personal: libcst never imported (second run)",
            "dense",
            f"first run {said[imported[0]]}, second {said[imported[1]]}" if imported else "not run",
            ("missed" if imported[1] else "met") if imported else "n/a",
        )
    )
    against(
        "minimise installed, MIN not selected: within 3%",
        "dense",
        ratio(by.get("fl_installed"), by.get("fl_alone")),
        1.03,
        "× flake8 alone",
    )
    against(
        "flake8 with MIN, warm ≤ 1.1×", "dense", ratio(by.get("fl_min_warm"), by.get("fl_alone")), 1.1, "× flake8 alone"
    )
    against(
        "flake8 with MIN, cold ≤ 1.6×", "dense", ratio(by.get("fl_min_cold"), by.get("fl_alone")), 1.6, "× flake8 alone"
    )
    if curve:
        top = curve[-1]
        peak = top["peak_sum_mib"] * 1.048576  # MiB to MB
        state = "met" if peak < 300 else "missed"
        if top["lines"] < 900_000:
            state = "n/a" if state == "met" else state  # a smaller tree cannot show the 1M-line figure
        out.append(
            Target(
                "peak memory, all processes, < 300 MB at 1M lines",
                "curve",
                f"{peak:.0f} MB at {top['lines']:,} lines",
                state,
            )
        )
        per = [c["wall"] / c["lines"] * 100_000 for c in curve]
        base = per[1] if len(per) > 2 else per[0]  # the 1x point carries start-up; compare from 2x on
        growth = per[-1] / base
        out.append(
            Target(
                "time linear in lines (s per 100k lines, largest vs 2×)",
                "curve",
                f"{' / '.join(f'{p:.2f}' for p in per)} s; {growth:.2f}×",
                ("met" if growth <= 1.25 else "missed") if len(per) > 2 else "n/a",
            )
        )
    return out
