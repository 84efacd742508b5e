#!/usr/bin/env python3
"""minimise benchmark: every speed and memory target of the project, side by side, in one run.

Run it with the Python that has minimise installed (its virtualenv also holds minimise's flake8
plugin). The baselines (ast.parse, libcst, bandit, flake8 alone) run from a separate virtualenv
without minimise, made once (see peers.py). Standard library only.

  python bench/bench.py generate OUT [--lines 120000] [--seed 7] [--share 0.33]
  python bench/bench.py run [--dense SPEC] [--sparse SPEC] [--curve SPEC] [--repeat 5] [--json OUT]
  python bench/bench.py prefilter-check PATH

SPEC is a folder, git:REPO[@REV] (the tree of that commit) or generated:LINES[:SHARE].
See bench/README.md for what every figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator import generate  # noqa: E402
from inputs import InputError, lay_out, replicate  # noqa: E402
from measure import Workload, interleave, ratio, run_once  # noqa: E402
from peers import PeersError, ensure_peers  # noqa: E402
from suite import Env, Tree, check, five_workloads, libcst_imported, tree_workloads  # noqa: E402


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _leftover_marks() -> dict[str, object]:
    """What a run could leave behind: entries in the temp folder, the user's minimise cache."""
    tmp = Path(tempfile.gettempdir())
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "minimise"
    return {
        "tmp": {p.name for p in tmp.iterdir() if p.name.startswith("minimise-bench-")},
        "user_cache": user_cache.stat().st_mtime if user_cache.exists() else None,
        "user_cache_path": str(user_cache),
    }


def prepare_bytecode() -> str:
    """Measure minimise as a user has it installed: with its modules' bytecode written.

    pip compiles a package's modules when it installs it (the baselines' virtualenv has them), but
    an editable install compiles them on first import, and never when PYTHONDONTWRITEBYTECODE is
    set: every measured minimise run would then compile its own source again. The variable is
    removed for the measured processes and minimise's package is compiled once, here.
    """
    import compileall

    import minimise

    dropped = os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None
    package = Path(minimise.__file__).resolve().parent
    compileall.compile_dir(str(package), quiet=1)
    return f"bytecode: compiled {package}" + (
        " (PYTHONDONTWRITEBYTECODE was set; removed for the runs)" if dropped else ""
    )


def machine_info(peers_versions: dict[str, str]) -> dict[str, object]:
    cpu, memory = "?", "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    mine = {name: version(name) for name in ("minimise", "libcst", "flake8", "click", "PyYAML")}
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "minimise_env": mine,
        "baselines_env": peers_versions,
    }


def _row(w: Workload, ast_key: Workload | None, others: list[tuple[str, Workload | None]]) -> list[str]:
    walls = w.walls()
    med = statistics.median(walls)
    cells = [
        w.label,
        str(w.files),
        f"{w.lines:,}",
        f"{med:.3f} ({min(walls):.3f}–{max(walls):.3f})",
        f"{w.lines / med:,.0f}",
        f"{max(r.peak_sum_mib for r in w.runs):.0f}",
        f"{statistics.median(r.cpu for r in w.runs):.2f}",
    ]
    for _name, other in [("ast", ast_key), *others]:
        value = ratio(w, other)
        cells.append(value.shown() if value else "—")
    return cells


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _stopped(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # so the temporary folder is removed on the way out


def cmd_run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _stopped)
    before = _leftover_marks()
    try:
        peers = ensure_peers(Path(args.peers) if args.peers else None, args.fresh_peers, say)
    except PeersError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    here = Path(sys.executable).parent
    env_minimise, env_flake8 = here / "minimise", here / "flake8"
    if not env_minimise.exists() or not env_flake8.exists():
        print(f"bench: error: {here}: no minimise or flake8 next to this Python; run bench.py with it", file=sys.stderr)
        return 2
    compiled = prepare_bytecode()
    if compiled:
        say(compiled)
    work = Path(tempfile.mkdtemp(prefix="minimise-bench-"))
    user_xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        status = _run(args, Env(str(env_minimise), str(env_flake8), peers, work), work)
    except InputError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        status = 2
    finally:
        if user_xdg is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = user_xdg
        shutil.rmtree(work, ignore_errors=True)
    after = _leftover_marks()
    left = sorted(after["tmp"] - before["tmp"])  # type: ignore[operator]
    problems = []
    if work.exists():
        problems.append(f"{work} still exists")
    problems += [f"new in the temp folder: {name}" for name in left if name.startswith("minimise-bench-")]
    if after["user_cache"] != before["user_cache"]:
        problems.append(f"{after['user_cache_path']} was written")
    print(
        "\nleft behind: " + ("; ".join(problems) if problems else "nothing (work folder removed, user cache untouched)")
    )
    return status


def _run(args: argparse.Namespace, env: Env, work: Path) -> int:
    load_start = os.getloadavg()
    # This process loads minimise's rules too (to describe the trees): its cache stays in the work folder.
    os.environ["XDG_CACHE_HOME"] = str(work / "bench-process-cache")
    trees: dict[str, Tree] = {}
    for name, spec in (("dense", args.dense), ("sparse", args.sparse)):
        if not spec:
            continue
        source = lay_out(spec, work / name, args.seed)
        tree = Tree(name, work / name, source.described)
        tree.measure()
        trees[name] = tree
        say(
            f"{name}: {source.described}; {len(tree.files)} files, {tree.lines:,} lines, "
            f"{tree.regex_lines / max(tree.lines, 1):.0%} of lines in files naming personal data"
        )
    dense = trees["dense"]
    by = tree_workloads(dense, env, full=True)
    fives, five = five_workloads(dense, env)
    by.update(fives)
    sparse = tree_workloads(trees["sparse"], env, full=False) if "sparse" in trees else {}
    imported, plain = libcst_imported(dense, env)
    everything = [*by.values(), *sparse.values()]
    say(f"{len(everything)} workloads, {args.warmup} warm-up + {args.repeat} rounds, interleaved")
    interleave(everything, args.repeat, args.warmup, say)
    curve = _curve(args, dense, env, work) if args.factors else []
    machine = machine_info(env.peers.versions)
    machine["load_start"], machine["load_end"] = load_start, os.getloadavg()
    targets = check(by, sparse, curve, imported)
    _print(args, machine, trees, by, sparse, five, plain, curve, targets)
    if args.json:
        payload = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine,
            "trees": {k: {"described": t.described, "files": len(t.files), "lines": t.lines} for k, t in trees.items()},
            "five_files": five,
            "plain_files": plain,
            "runs": {w.key + ("" if w in by.values() else "_sparse"): [asdict(r) for r in w.runs] for w in everything},
            "curve": curve,
            "targets": [asdict(t) for t in targets],
        }
        Path(args.json).write_text(json.dumps(payload, indent=1, default=str))
    return 0


def _curve(args: argparse.Namespace, dense: Tree, env: Env, work: Path) -> list[dict]:
    """Cold scans (empty cache, cache on) of 1x, 2x … copies of the dense tree: time and memory by size."""
    points = []
    for factor in args.factors:
        into = work / f"curve-{factor}"
        replicate(dense.root, into, factor)
        lines = dense.lines * factor
        cold_env, before, after = env.fresh_cache()
        walls, peaks = [], []
        for _ in range(args.curve_repeat):
            before()
            run = run_once([env.minimise, "scan", ".", "--format", "json"], into, cold_env)
            after()
            walls.append(run.wall)
            peaks.append(run.peak_sum_mib)
        shutil.rmtree(into)
        point = {
            "factor": factor,
            "lines": lines,
            "wall": statistics.median(walls),
            "walls": walls,
            "peak_sum_mib": max(peaks),
        }
        points.append(point)
        say(f"curve {factor}x: {lines:,} lines, {point['wall']:.1f} s, {point['peak_sum_mib']:.0f} MiB")
    return points


def _print(args, machine, trees, by, sparse, five, plain, curve, targets) -> None:
    mine, base = machine["minimise_env"], machine["baselines_env"]
    print(f"machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory']}, {machine['platform']}")
    start, end = (", ".join(f"{x:.1f}" for x in machine[k]) for k in ("load_start", "load_end"))
    print(f"load average (1, 5, 15 min): at the start {start}; at the end {end}")
    print(
        f"Python {machine['python']}; minimise {mine['minimise']}, libcst {mine['libcst']}, flake8 {mine['flake8']}; "
        "baselines' venv: " + ", ".join(f"{k} {v}" for k, v in base.items())
    )
    print(f"medians of {args.repeat} interleaved rounds ({args.warmup} warm-up discarded); ratios per round, (min–max)")
    for name, tree in trees.items():
        print(
            f"{name}: {tree.described}; {len(tree.files)} files, {tree.lines:,} lines; "
            f"{tree.regex_lines / max(tree.lines, 1):.0%} of lines in files naming personal data; "
            f"the prefilter parses {tree.prefilter_files} files ({tree.prefilter_lines:,} lines)"
        )
    print("5 changed files: " + ", ".join(five))
    print("5 files with nothing personal (libcst check): " + ", ".join(plain))
    header = ["workload", "files", "lines", "wall s median (min–max)", "lines/s", "peak MiB, all processes", "CPU s"]
    tree_rows = [k for k in by if k not in ("ast5", "five", "fl5")]
    print("\ndense tree\n")
    print(
        _table(
            [*header, "× ast.parse", "× libcst parse", "× bandit", "× flake8 alone"],
            [
                _row(
                    by[k], by["ast"], [("cst", by.get("cst")), ("bandit", by.get("bandit")), ("fl", by.get("fl_alone"))]
                )
                for k in tree_rows
            ],
        )
    )
    print("\n5 changed files (the pre-commit case)\n")
    print(
        _table(
            [*header, "× ast.parse, 5 files", "× flake8, 5 files"],
            [_row(by[k], by["ast5"], [("fl5", by["fl5"])]) for k in ("ast5", "five", "fl5")],
        )
    )
    if sparse:
        print("\nsparse tree\n")
        print(_table([*header, "× ast.parse"], [_row(w, sparse["ast"], []) for w in sparse.values()]))
    if curve:
        print(f"\ncold scan by size (copies of the dense tree; {args.curve_repeat} run each, empty cache, cache on)\n")
        print(
            _table(
                ["copies", "lines", "wall s", "s per 100k lines", "peak MiB, all processes"],
                [
                    [
                        f"{c['factor']}×",
                        f"{c['lines']:,}",
                        f"{c['wall']:.2f}",
                        f"{c['wall'] / c['lines'] * 1e5:.2f}",
                        f"{c['peak_sum_mib']:.0f}",
                    ]
                    for c in curve
                ],
            )
        )
    print("\ntargets (met: every round within; missed: no round within; unclear: the spread straddles the target)\n")
    print(
        _table(
            ["target", "tree", "measured: median (min–max)", "verdict"],
            [[t.name, t.where, t.measured, t.state] for t in targets],
        )
    )


def cmd_prefilter_check(args: argparse.Namespace) -> int:
    """Data points and findings of a cold one-job scan, with and without the prefilter, compared."""
    minimise = Path(sys.executable).parent / "minimise"
    root = Path(args.path).resolve()
    results = {}
    with tempfile.TemporaryDirectory(prefix="minimise-bench-") as cache:
        for label, extra in (("prefilter", []), ("no-prefilter", ["--no-prefilter"])):
            started = time.perf_counter()
            done = subprocess.run(
                [str(minimise), "scan", str(root), "--format", "json", "--no-cache", "-j1", *extra],
                capture_output=True,
                text=True,
                env={**os.environ, "XDG_CACHE_HOME": cache},
            )
            wall = time.perf_counter() - started
            if done.returncode not in (0, 1):
                print(f"{label}: exit {done.returncode}\n{done.stderr[-2000:]}")
                return 2
            data = json.loads(done.stdout)
            results[label] = data
            print(f"{label}: {len(data['data_points'])} data points, {len(data['findings'])} findings, {wall:.2f} s")
    status = 0
    for part in ("data_points", "findings"):
        with_it = {json.dumps(d, sort_keys=True) for d in results["prefilter"][part]}
        without = {json.dumps(d, sort_keys=True) for d in results["no-prefilter"][part]}
        missed, extra = sorted(without - with_it), sorted(with_it - without)
        if missed or extra:
            status = 1
            print(f"{part}: {len(missed)} only without the prefilter (recall lost), {len(extra)} only with it")
            for text in missed[:50]:
                print("  - missed:", text)
            for text in extra[:20]:
                print("  + extra: ", text)
        else:
            print(f"{part}: identical ({len(with_it)})")
    print("prefilter-check:", "PASS" if status == 0 else "FAIL")
    return status


def _factors(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()] if text else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    gen = sub.add_parser("generate", help="write a synthetic web-app corpus")
    gen.add_argument("out")
    gen.add_argument("--lines", type=int, default=120_000)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--share", type=float, default=0.33, help="chance that a file handles personal data")
    run = sub.add_parser("run", help="every target, side by side")
    run.add_argument("--dense", default="generated:120000", help="where personal data is common (default: generated)")
    run.add_argument("--sparse", default="generated:120000:0.03", help="where it is rare; '' to skip")
    run.add_argument(
        "--factors", type=_factors, default=[1, 2, 4, 8, 20], help="copies of the dense tree for the size curve"
    )
    run.add_argument("--curve-repeat", type=int, default=1)
    run.add_argument("--repeat", type=int, default=5)
    run.add_argument("--warmup", type=int, default=1)
    run.add_argument("--seed", type=int, default=7)
    run.add_argument("--peers", help="the baselines' virtualenv (default: in the user cache folder)")
    run.add_argument("--fresh-peers", action="store_true", help="rebuild the baselines' virtualenv")
    run.add_argument("--json", help="save every run and figure to this file")
    check = sub.add_parser("prefilter-check", help="identical findings with and without the prefilter")
    check.add_argument("path")
    args = parser.parse_args(argv)
    if args.cmd == "generate":
        started = time.perf_counter()
        stats = generate(Path(args.out), args.lines, args.seed, args.share)
        print(
            f"wrote {stats['files']} files, {stats['lines']:,} lines to {args.out} "
            f"in {time.perf_counter() - started:.1f} s (seed {stats['seed']}); "
            f"mention personal data (research regex): {stats['pd_files']} files, "
            f"{stats['pd_lines']:,} lines ({stats['pd_lines'] / stats['lines']:.0%})"
        )
        return 0
    if args.cmd == "run":
        return cmd_run(args)
    return cmd_prefilter_check(args)


if __name__ == "__main__":
    sys.exit(main())
