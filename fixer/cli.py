"""The `fixer` command: argv -> a Job, and the one place errors become messages and exit codes.

Only the standard library is imported at the top, so `fixer --help` stays instant; the session,
httpx, GitPython and Textual are imported when a run needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fixer import __version__

if TYPE_CHECKING:
    from fixer.config import Config
    from fixer.llm import Progress
    from fixer.router import Route
    from fixer.session import Job, Outcome, Proposal, Workspace

EXIT_CODES = """exit codes:
  0  done (also when nothing needed fixing)
  1  the network or the provider failed
  2  bad input: usage, config, or an unreadable, binary or huge file; nothing sent
  3  the reply held no usable diff
  4  accepted hunks could not be written or committed (a file changed on disk, git refused)
  130 interrupted"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fixer",
        description="Ask a model (or the offline fixers) for a unified diff of FILEs, review it "
        "hunk by hunk, and commit exactly the hunks you accept.",
        epilog="subcommands:\n  fixer config [--check]   show or check the config and routes\n\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="files to fix")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--print",
        dest="print_diff",
        action="store_true",
        help="print the proposed diff (git apply accepts it) and write nothing",
    )
    mode.add_argument(
        "--yes", action="store_true", help="accept every hunk, write, commit, print a summary"
    )
    parser.add_argument(
        "--from-diff",
        metavar="PATCH",
        help="review a diff you already have (a file, or - for stdin) instead of asking a model",
    )
    parser.add_argument(
        "--no-commit", action="store_true", help="write accepted hunks without committing"
    )
    parser.add_argument(
        "-m",
        "--model",
        metavar="PROVIDER,MODEL",
        help="force a model (claude-code-router syntax), or 'local' for the offline fixers",
    )
    parser.add_argument(
        "-i", "--instruction", metavar="TEXT", help="your own request, sent after the files"
    )
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file to use")
    parser.add_argument("--version", action="version", version=f"fixer {__version__}")
    return parser


def build_config_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fixer config",
        description="Show where the config came from, the providers (keys masked), the routes "
        "and the model each scenario uses.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 2 with a precise message if the config is wrong"
    )
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file to use")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run fixer; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from fixer.errors import FixerError

    try:
        if argv[:1] == ["config"]:
            return config_command(build_config_parser().parse_args(argv[1:]))
        parser = build_parser()
        return fix_command(parser, parser.parse_args(argv))
    except FixerError as error:
        print(f"fixer: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("fixer: interrupted; nothing more was written", file=sys.stderr)
        return 130


def config_command(args: argparse.Namespace) -> int:
    from fixer.config import check_config, load_config, render_config

    config = load_config(args.config, os.environ)
    if args.check:
        problems = check_config(config, os.environ)
        for problem in problems:
            print(f"fixer config: {problem}", file=sys.stderr)
        if problems:
            return 2
        print(f"config OK: {config.path or config.origin}")
        return 0
    print(render_config(config, os.environ))
    for problem in check_config(config, os.environ):
        print(f"fixer config: warning: {problem}", file=sys.stderr)
    return 0


def fix_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import asyncio

    from fixer.errors import InputError
    from fixer.session import Job, open_workspace, paths_named_by, read_sources

    if not args.files and args.from_diff is None:
        parser.error("name at least one FILE, or give --from-diff PATCH")
    if args.from_diff is not None and (args.model or args.instruction):
        parser.error("--from-diff asks no model: -m and -i do not apply")
    interactive = not (args.print_diff or args.yes)
    if interactive and not sys.stdout.isatty():
        raise InputError("the review screen needs a terminal; use --print or --yes")
    diff_text = _read_diff(args.from_diff) if args.from_diff is not None else None
    if interactive and not sys.stdin.isatty():
        _keys_from_terminal()
    paths = tuple(Path(f) for f in args.files)
    workspace = open_workspace(paths or (Path.cwd(),))
    if not paths and diff_text is not None:
        paths = paths_named_by(diff_text, workspace.root)
        if not paths:
            raise InputError("the diff names no existing file; name the FILEs it patches")
    job = Job(paths, args.model, args.instruction, args.config, diff_text)
    sources = read_sources(paths, workspace.root)
    config = _load_config(job)  # with --from-diff too: Router.background writes the message
    proposal = asyncio.run(_propose(job, sources, workspace, config))
    for note in proposal.notes:
        print(f"fixer: {note}", file=sys.stderr)
    for refusal in proposal.review.refusals:
        print(f"fixer: refused {refusal}", file=sys.stderr)
    if not proposal.review.hunks:
        print("fixer: no changes proposed; nothing to do", file=sys.stderr)
        return 0
    if args.print_diff:
        sys.stdout.write(proposal.review.as_diff())
        return 0
    if args.yes:
        proposal.review.accept_all()
        flagged = [h for h in proposal.review.hunks if h.flag]
        if flagged:
            names = ", ".join(sorted({f"{h.name} ({h.flag})" for h in flagged}))
            print(
                f"fixer: --yes skipped {len(flagged)} flagged hunk(s) in {names}; "
                "review them with fixer FILE",
                file=sys.stderr,
            )
    else:
        from fixer.tui.app import run_review

        if not run_review(proposal):
            print("fixer: quit; nothing written", file=sys.stderr)
            return 0
    if not proposal.review.accepted():
        print("fixer: no hunk accepted; nothing written", file=sys.stderr)
        return 0
    outcome = _finish(proposal, workspace, config, commit=not args.no_commit)
    print(summary(proposal, outcome))
    return 4 if outcome.refused else 0


def _keys_from_terminal() -> None:
    """Read the review's keys from the terminal when stdin brought the diff (like less and fzf)."""
    from fixer.errors import InputError

    try:
        terminal = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        raise InputError("the review screen needs a terminal; use --print or --yes") from None
    os.dup2(terminal, 0)
    os.close(terminal)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115  (fd 0 stays open for Textual)


def _load_config(job: Job) -> Config:
    from fixer.config import load_config

    return load_config(job.config_path, os.environ)


def _read_diff(source: str) -> str:
    from fixer.errors import InputError

    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the diff {source}: {error}") from None


async def _propose(job: Job, sources, workspace: Workspace, config: Config) -> Proposal:
    from fixer.session import propose, route_for

    route = route_for(job, config, sources) if job.diff_text is None else None
    show = _progress_line(route) if route and not route.is_local and sys.stderr.isatty() else None
    try:
        return await propose(job, sources, workspace, config=config, route=route, on_progress=show)
    finally:
        if show is not None:
            sys.stderr.write("\r\033[K")


def _progress_line(route: Route):
    def show(progress: Progress) -> None:
        sys.stderr.write(
            f"\r\033[K{route}: {progress.received_tokens} tokens, {progress.elapsed_s:.1f}s"
        )
        sys.stderr.flush()

    return show


def _finish(
    proposal: Proposal, workspace: Workspace, config: Config | None, commit: bool
) -> Outcome:
    import asyncio

    from fixer.session import commit_message, write_and_commit

    message, note = (None, None)
    if commit and workspace.repo is not None:
        message, note = asyncio.run(commit_message(proposal, config, os.environ))
        if note:
            print(f"fixer: {note}", file=sys.stderr)
    return write_and_commit(proposal, workspace, message or "", commit=commit)


def summary(proposal: Proposal, outcome: Outcome) -> str:
    """The short report printed after writing: hunks, files, commit, tokens, cost."""
    accepted = proposal.review.accepted()
    hunks = sum(len(h) for h in accepted.values())
    lines = [
        f"accepted {hunks} hunk{'s' * (hunks != 1)} in {len(accepted)} file"
        f"{'s' * (len(accepted) != 1)}; written: {', '.join(outcome.written) or 'none'}"
    ]
    if outcome.commit:
        lines.append(f"committed {outcome.commit[:12]} {outcome.message}")
    lines += [
        f"not committed (it had uncommitted changes before fixer ran): {n}"
        for n in outcome.uncommitted
    ]
    lines += list(outcome.refused)
    lines += list(outcome.notes)
    lines.append(usage_line(proposal))
    return "\n".join(lines)


def usage_line(proposal: Proposal) -> str:
    """Route, tokens and cost of the run, unknown parts said to be unknown."""
    if proposal.route is None:
        return "model: none (--from-diff); tokens: 0; cost: 0"
    if proposal.route.is_local:
        return "model: local (offline fixers); tokens: 0; cost: 0"
    calls = f"{len(proposal.replies)} calls, " if len(proposal.replies) > 1 else ""
    elapsed = sum(r.elapsed_s for r in proposal.replies)
    usages = [r.usage for r in proposal.replies]
    if any(u is None for u in usages):
        return f"model: {proposal.route}; {calls}tokens: not reported; cost: unknown"
    cached = sum(u.cached_tokens or 0 for u in usages)
    costs = [u.cost for u in usages]
    cost = "unknown (no price known)" if None in costs else f"${sum(costs)}"
    return (
        f"model: {proposal.route}; {calls}tokens: {sum(u.prompt_tokens or 0 for u in usages):,} "
        f"in{f' ({cached:,} cached)' if cached else ''}, "
        f"{sum(u.completion_tokens or 0 for u in usages):,} out; cost: {cost}; {elapsed:.1f}s"
    )
