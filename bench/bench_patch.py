"""The diff engine against git apply and GNU patch: correctness per damage kind, and throughput
on a large real multi-file diff, measured in the same run.

Correctness: real files of installed packages, realistic edits, each damaged the ways models
damage diffs (patch_damage.py). A tool's result is correct when it equals the intended text byte
for byte, refused when the tool failed, wrong when it applied something else.
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from patch_damage import KINDS, RECOVERABLE, Case, Damaged, edit, make_case

from fixer.patch import (
    PatchRejected,
    apply_patch,
    apply_placements,
    cut_off,
    extract_diff,
    locate_hunks,
    parse_diff,
)

SEED = 20260
PACKAGES = ("textual", "rich", "httpx", "pygments", "git")
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
CACHE = Path(__file__).resolve().parent / ".cache"
# 8.0.0 -> 8.2.8 has only ~200 hunks; from 0.40.0 the diff has ~1,650 in ~175 changed files.
RELEASES = ("0.40.0", "8.2.8")
TARGET_CORRECT = 97.0
RUNS = 5
EXAMPLES = 6
PIP_DOWNLOAD = (sys.executable, "-m", "pip", "download", "--quiet", "--no-deps")
PIP_DOWNLOAD += ("--no-binary", ":none:", "--only-binary", ":all:")
PATCH = ("patch", "-p1", "--fuzz=2", "--force", "--no-backup-if-mismatch")

# git must not find a repository above the scratch folders, nor read the user's config.
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CEILING_DIRECTORIES": tempfile.gettempdir(),
}

Tool = Callable[[Path, str, Damaged], str | None]  # scratch folder, path, case -> text or None


def usable(text: str) -> bool:
    """Files whose conventions the case builder keeps: LF, a final newline, 20-5000 lines."""
    return text.endswith("\n") and "\r" not in text and 20 <= text.count("\n") <= 5000


def source_files(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """A seeded sample of (path, text) from the packages' Python files in site-packages."""
    files = []
    for path in sorted(p for name in PACKAGES for p in (SITE_PACKAGES / name).rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if usable(text) and not text.startswith("\ufeff"):
            files.append((path.relative_to(SITE_PACKAGES).as_posix(), text))
    return rng.sample(files, min(count, len(files)))


def build_cases(count: int) -> list[tuple[str, Case, Damaged]]:
    """(kind, case, damaged) for every kind that applies to each sampled file; seeded."""
    jobs = []
    for path, text in source_files(count, random.Random(SEED)):
        case = make_case(path, text, random.Random(f"{SEED}:{path}"))
        for kind, damage in KINDS.items():
            damaged = damage(case, random.Random(f"{SEED}:{path}:{kind}"))
            if damaged is not None:
                jobs.append((kind, case, damaged))
    return jobs


def repeats_context(case: Case) -> bool:
    """Whether some hunk's old lines occur more than once in the file: then only its @@
    numbers or the order of the hunks can single out the place."""
    for hunk in case.hunks:
        old = "".join(line[1:] + "\n" for line in hunk.lines if line[0] != "+")
        if case.original.count(old) > 1:
            return True
    return False


def run_fixer(folder: Path, path: str, damaged: Damaged) -> str | None:
    """What fixer does with a model's reply: refuse it when it looks cut off, else apply it."""
    if cut_off(damaged.diff) is not None:
        return None
    return apply_patch(damaged.original, damaged.diff)


def _stage(folder: Path, path: str, damaged: Damaged) -> tuple[Path, Path, Path]:
    """A fresh tree holding the original file, and the diff beside it: (tree, target, diff)."""
    tree = folder / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    target = tree / path
    target.parent.mkdir(parents=True)
    target.write_bytes(damaged.original.encode())
    diff = folder / "fix.diff"
    diff.write_bytes(damaged.diff.encode())
    return tree, target, diff


def git_apply(*options: str) -> Tool:
    """`git apply` with options, in a scratch tree; None when it fails."""

    def tool(folder: Path, path: str, damaged: Damaged) -> str | None:
        tree, target, diff = _stage(folder, path, damaged)
        done = subprocess.run(
            ["git", "apply", *options, str(diff)], cwd=tree, env=GIT_ENV, capture_output=True
        )
        return None if done.returncode else target.read_bytes().decode()

    return tool


def gnu_patch(folder: Path, path: str, damaged: Damaged) -> str | None:
    """GNU patch with its default fuzz, told the file name as a single-file tool would."""
    tree, target, diff = _stage(folder, path, damaged)
    rejects = folder / "fix.rej"
    rejects.unlink(missing_ok=True)
    done = subprocess.run(
        [*PATCH, f"--reject-file={rejects}", "-i", str(diff), str(target)],
        cwd=tree,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    refused = done.returncode or rejects.exists() or not target.exists()
    return None if refused else target.read_bytes().decode()


TOOLS: dict[str, Tool] = {
    "fixer": run_fixer,
    "git apply": git_apply(),
    "git apply --recount": git_apply("--recount"),
    "patch --fuzz=2": gnu_patch,
}


def classify(output: str | None, expected: str) -> str:
    """correct: the intended text byte for byte; refused: no output; wrong: anything else."""
    if output is None:
        return "refused"
    return "correct" if output == expected else "wrong"


def evaluate(folder: Path, case: Case, damaged: Damaged) -> dict[str, str]:
    """Each tool's outcome on one damaged case; fixer's refusal or crash keeps its reason."""
    outcomes = {}
    for name, tool in TOOLS.items():
        try:
            outcomes[name] = classify(tool(folder, case.path, damaged), damaged.expected)
        except PatchRejected as refusal:
            outcomes[name] = f"refused: {str(refusal).splitlines()[0]}"
        except Exception as error:  # only fixer raises; a crash must not stop the run
            outcomes[name] = f"refused: crashed with {type(error).__name__}: {error}"
    return outcomes


def evaluate_all(jobs: list[tuple[str, Case, Damaged]]) -> list[dict[str, str]]:
    """Outcomes for every job, on as many threads as cores, each with its own scratch folder."""
    local = threading.local()
    with tempfile.TemporaryDirectory() as root:

        def one(job: tuple[str, Case, Damaged]) -> dict[str, str]:
            if not hasattr(local, "folder"):
                local.folder = Path(tempfile.mkdtemp(dir=root))
            return evaluate(local.folder, job[1], job[2])

        with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            return list(pool.map(one, jobs))


def print_correctness(jobs: list[tuple[str, Case, Damaged]], results: list[dict[str, str]]) -> None:
    tally: dict[tuple[str, str], Counter[str]] = {}
    for (kind, _, _), outcomes in zip(jobs, results, strict=True):
        for tool, outcome in outcomes.items():
            tally.setdefault((kind, tool), Counter())[outcome.split(":")[0]] += 1
    print(f"{'':30}" + "".join(f"{tool:<20}" for tool in TOOLS).rstrip())
    print(
        (f"{'kind':24}{'cases':>6}" + f"{'ok':>5}{'ref':>5}{'wrong':>6}    " * len(TOOLS)).rstrip()
    )
    groups = {
        "recoverable": list(RECOVERABLE),
        "not recoverable": [k for k in KINDS if k not in RECOVERABLE],
    }
    totals: dict[str, dict[str, Counter[str]]] = {}
    for group, kinds in groups.items():
        for kind in kinds:
            row = [tally.get((kind, tool), Counter()) for tool in TOOLS]
            _print_row(kind, row)
            for tool, counts in zip(TOOLS, row, strict=True):
                totals.setdefault(group, {}).setdefault(tool, Counter()).update(counts)
        _print_row(f"= {group}", [totals[group][tool] for tool in TOOLS])
        print()
    fixer = totals["recoverable"]["fixer"]
    share = 100 * fixer["correct"] / max(1, sum(fixer.values()))
    wrong = sum(totals[group]["fixer"]["wrong"] for group in groups)
    print(f"fixer recoverable correct: {share:.1f}%  (target >= {TARGET_CORRECT:.0f}%)")
    print(f"fixer wrong, all kinds:    {wrong}  (target 0)")
    _print_examples(jobs, results)


def _print_row(label: str, row: list[Counter[str]]) -> None:
    cases = sum(row[0].values())
    cells = "".join(f"{c['correct']:5d}{c['refused']:5d}{c['wrong']:6d}    " for c in row)
    print(f"{label:24}{cases:6d}{cells}".rstrip())


def _print_examples(jobs: list[tuple[str, Case, Damaged]], results: list[dict[str, str]]) -> None:
    """A few of fixer's wrong results, crashes and refusals of recoverable cases, to reproduce."""
    fixer = [
        (kind, case.path, outcomes["fixer"])
        for (kind, case, _), outcomes in zip(jobs, results, strict=True)
    ]
    shown = (
        ("wrong or crashed", [f for f in fixer if f[2] == "wrong" or "crashed" in f[2]]),
        (
            "refused though recoverable",
            [
                f
                for f in fixer
                if f[0] in RECOVERABLE and f[2].startswith("refused: ") and "crashed" not in f[2]
            ],
        ),
    )
    for title, found in shown:
        by_path: dict[str, list[tuple[str, str, str]]] = {}
        for item in found:
            by_path.setdefault(item[1], []).append(item)
        if found:
            print(f"fixer {title}: {len(found)} cases in {len(by_path)} files; first ones:")
        for path, items in list(by_path.items())[:EXAMPLES]:
            kind, _, outcome = items[0]
            more = f" (+{len(items) - 1} kinds)" if len(items) > 1 else ""
            print(f"  {path} [{kind}]{more}: {outcome.removeprefix('refused: ')[:110]}")


# Throughput
def release_wheel(version: str) -> Path | None:
    """textual's wheel of `version`, from bench/.cache or downloaded there; None if unreachable."""
    wheel = CACHE / f"textual-{version}-py3-none-any.whl"
    if not wheel.exists():
        subprocess.run(
            [*PIP_DOWNLOAD, f"textual=={version}", "-d", str(CACHE)],
            capture_output=True,
        )
    return wheel if wheel.exists() else None


def _unpack(wheel: Path) -> dict[str, str]:
    """The text files of a wheel, without its metadata."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if ".dist-info/" not in name and not name.endswith("/")
        }


def release_trees(quick: bool) -> tuple[dict[str, str], dict[str, str], str]:
    """(old files, new files, where they come from): two textual releases, else synthesized."""
    wheels = [release_wheel(version) for version in RELEASES]
    if all(wheels):
        old, new = (_unpack(wheel) for wheel in wheels if wheel)
        return old, new, f"textual {RELEASES[0]} -> {RELEASES[1]} wheels (bench/.cache)"
    rng = random.Random(SEED)
    old = dict(source_files(60 if quick else 250, rng))
    new = {path: edit(text, rng, edits=8) for path, text in old.items()}
    return old, new, "synthesized: site-packages files with 8 edits each (no PyPI)"


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode())


def big_diff(folder: Path, old: dict[str, str], new: dict[str, str]) -> str:
    """`git diff` between the two trees, written under `folder` as a/ and b/."""
    for side, files in (("a", old), ("b", new)):
        shutil.rmtree(folder / side, ignore_errors=True)
        _write_tree(folder / side, files)
    done = subprocess.run(
        ["git", "diff", "--no-index", "--no-prefix", "--no-renames", "--no-color", "a", "b"],
        cwd=folder,
        env=GIT_ENV,
        capture_output=True,
    )
    return done.stdout.decode()


def fixer_apply_all(diff: str, old: dict[str, str]) -> tuple[dict[str, str], int, int]:
    """Extract, parse, place and apply every file patch, as a reply is: (new texts, hunks
    refused, files crashed)."""
    out, refused, crashed = {}, 0, 0
    for patch in parse_diff(extract_diff(diff) or diff):
        try:
            placements, refusals = locate_hunks(old[patch.path], patch)
            out[patch.path] = apply_placements(old[patch.path], placements)
        except Exception:  # a crash must not hide the other figures; it is reported
            crashed += 1
            continue
        refused += len(refusals)
    return out, refused, crashed


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """The median wall time of `action`; each run starts from a collected heap, so one run's
    garbage is not another's collection (the collector stays on during the run)."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(folder: Path, old: dict[str, str], new: dict[str, str], copies: int, runs: int) -> dict:
    """Wall times of fixer, unidiff's parse and git apply --check on the diff of the changed
    files, the trees held `copies` times (under c1/, c2/, ...)."""
    import unidiff

    changed = [name for name in sorted(old.keys() & new.keys()) if old[name] != new[name]]
    before, after = (
        {f"c{c}/{name}": files[name] for c in range(1, copies + 1) for name in changed}
        for files in (old, new)
    )
    diff = big_diff(folder, before, after)
    (folder / "big.diff").write_text(diff)
    result, refused, crashed = fixer_apply_all(diff, before)
    check = ["git", "apply", "--check", str(folder / "big.diff")]
    git_ok = subprocess.run(check, cwd=folder / "a", env=GIT_ENV, capture_output=True)
    return {
        "lines": diff.count("\n"),
        "files": len(before),
        "hunks": sum(len(patch.hunks) for patch in parse_diff(diff)),
        "refused": refused,
        "crashed": crashed,
        "mismatched": sum(1 for name in after if result.get(name) != after[name]),
        "git ok": git_ok.returncode == 0,
        "fixer": median_seconds(lambda: fixer_apply_all(diff, before), runs),
        "unidiff": median_seconds(lambda: unidiff.PatchSet(diff), runs),
        "git apply --check": median_seconds(
            lambda: subprocess.run(check, cwd=folder / "a", env=GIT_ENV, capture_output=True),
            runs,
        ),
    }


def print_throughput(quick: bool) -> None:
    old, new, source = release_trees(quick)
    runs = 1 if quick else RUNS
    with tempfile.TemporaryDirectory() as folder:
        one, two = (measure(Path(folder), old, new, copies, runs) for copies in (1, 2))
    print(f"source: {source}; changed files only; median of {runs}")
    print("fixer: extract_diff + parse_diff + locate_hunks + apply_placements, texts in memory;")
    print("git apply --check: one process reading the old tree (start-up included)")
    for label, m in (("1x", one), ("2x", two)):
        print(
            f"{label}: {m['files']} files, {m['hunks']} hunks, {m['lines']} diff lines; "
            f"fixer refused {m['refused']} hunks, crashed on {m['crashed']} files, "
            f"{m['mismatched']} files differ from the new release; "
            f"git apply --check {'passes' if m['git ok'] else 'FAILS'}"
        )
    print(f"{'':22}{'1x s':>9}{'hunks/s':>10}{'2x s':>9}{'2x/1x':>7}")
    for tool in ("fixer", "unidiff", "git apply --check"):
        label = "unidiff parse alone" if tool == "unidiff" else tool
        print(
            f"{label:22}{one[tool]:9.3f}{one['hunks'] / one[tool]:10.0f}"
            f"{two[tool]:9.3f}{two[tool] / one[tool]:7.2f}"
        )
    print(f"fixer / unidiff parse:     {one['fixer'] / one['unidiff']:5.2f}x  (target <= 1x)")
    to_git = one["fixer"] / one["git apply --check"]
    print(f"fixer / git apply --check: {to_git:5.2f}x  (target <= 3x)")
    print(f"fixer 2x / 1x input:       {two['fixer'] / one['fixer']:5.2f}x  (target <= ~2x)")


def hostile_inputs() -> dict[str, Callable[[int], tuple[str, str]]]:
    """Replies built to make a regex backtrack or a search compare everything with everything,
    each as (file text, reply) for a size n."""
    one = "x = 1\n"
    wrap = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-x = 1\n+{}\n"
    return {
        "header of n spaces": lambda n: (
            one,
            f"--- a/x{' ' * n}\n+++ b/x\n@@ -1 +1 @@\n-x = 1\n+y\n",
        ),
        "comment of n spaces": lambda n: (one, wrap.format("# " + " " * n + "x")),
        "comment of n stars": lambda n: (one, wrap.format("/* " + "*" * n + "x")),
        "fence info of n spaces": lambda n: (one, f"```{' ' * n}x`\n" + wrap.format("y") + "```\n"),
        "line of 100n chars": lambda n: (
            one,
            wrap.format("y").replace("-x = 1", "-" + "y" * n * 100),
        ),
        "n/100 hunks at one number": lambda n: (
            "a\nb\n" * 10,
            "--- a/x\n+++ b/x\n"
            + "".join(f"@@ -3,2 +3,2 @@\n a\n-b\n+c{i}\n" for i in range(n // 100)),
        ),
        "50 hunks not in n lines": lambda n: (
            "".join(f"line_{i} = {i}\n" for i in range(n)),
            "--- a/x\n+++ b/x\n"
            + "".join(
                f"@@ -{i * 9 + 1},2 +{i * 9 + 1},1 @@\n-gone_{i} = 0\n-lost_{i}\n+new\n"
                for i in range(50)
            ),
        ),
    }


def print_hostile(runs: int) -> None:
    """Each hostile input at n and 4n: linear code takes about 4x as long, quadratic 16x."""
    print(f"{'input':26}{'n=10k s':>10}{'n=40k s':>10}{'ratio':>7}{'refusal chars':>15}")
    for name, build in hostile_inputs().items():
        times, sizes = [], []
        for n in (10_000, 40_000):
            text, reply = build(n)

            def attempt(text: str = text, reply: str = reply) -> int:
                try:
                    apply_patch(text, reply)
                except PatchRejected as refusal:
                    return len(str(refusal))
                return 0

            times.append(median_seconds(attempt, runs))
            sizes.append(attempt())
        ratio = times[1] / max(times[0], 1e-6)
        print(f"{name:26}{times[0]:10.4f}{times[1]:10.4f}{ratio:7.1f}{max(sizes):15,}")
    print("(target: ratio near 4, never 16; a refusal of a few hundred characters at any size)")


def print_all_correctness(quick: bool) -> None:
    """The correctness table; its cases die with this call, so that the timings after it do
    not pay for collecting a heap they did not build."""
    jobs = build_cases(40 if quick else 300)
    files = len({case.path for _, case, _ in jobs})
    print(f"-- correctness: {files} files of {', '.join(PACKAGES)} from site-packages, seed {SEED}")
    repeated = len({case.path for _, case, _ in jobs if repeats_context(case)})
    print(f"   {repeated} of them have a hunk whose old lines occur twice or more in the file")
    print("   (patch gets the file name on its command line; fixer crashes count as refused)")
    print_correctness(jobs, evaluate_all(jobs))


def run(quick: bool = False) -> None:
    start = time.perf_counter()
    print_all_correctness(quick)
    print("\n-- hostile input: time at n and 4n")
    print_hostile(1 if quick else RUNS)
    print("\n-- throughput")
    print_throughput(quick)
    print(f"\n(whole run {time.perf_counter() - start:.0f} s)")
