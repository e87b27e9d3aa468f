"""The `fixer` command: argv -> a Job, and the one place errors become messages and exit codes.

Only the standard library is imported at the top, so `fixer --help` stays instant; the session,
httpx, GitPython and Textual are imported when a run needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fixer import __version__

if TYPE_CHECKING:
    from fixer.agents import Agent
    from fixer.calls import Caller
    from fixer.config import Config
    from fixer.cost import Cost
    from fixer.llm import Progress
    from fixer.router import Route
    from fixer.session import Job, Outcome, Proposal, Run

EXIT_CODES = """exit codes:
  0  done (also when nothing needed fixing)
  1  the network or the provider failed
  2  bad input: usage, config, or an unreadable, binary or huge file; nothing sent
  3  the reply held no usable diff
  4  accepted hunks could not be written or committed (a file changed on disk, git refused);
     or fixer undo refused and changed nothing
  5  a call would exceed the config's Budget; nothing sent (--force sends it anyway)
  6  --yes --test: the test command failed on the accepted hunks; nothing written
     (--force writes and commits them anyway)
  70 fixer crashed: a bug of its own (the traceback is saved; the message says where)
  130 interrupted"""


def build_parser() -> argparse.ArgumentParser:
    from fixer.keys import key_help  # no Textual: the help stays instant
    from fixer.testoutcome import DEFAULT_TIMEOUT_S

    parser = argparse.ArgumentParser(
        prog="fixer",
        description="Ask a model (or the offline fixers) for a unified diff of FILEs, review it "
        "hunk by hunk, and commit exactly the hunks you accept.",
        epilog="subcommands:\n  fixer config [--check]   show or check the config and routes\n"
        "  fixer usage [--by ...]   tokens, cost and a scoreboard of past calls (--compare A,B)\n"
        "  fixer mistakes           the mistakes your grammar reviews corrected, by kind\n"
        "  fixer undo               take back fixer's last commit, if nothing came after it\n"
        "  fixer agents             the agents, built in and yours, and how they fared\n\n"
        + key_help()
        + "\n\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="files to fix; a folder is the text files git tracks in it",
    )
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
        "--grammar",
        action="store_const",
        const="grammar",
        dest="agent",
        default="fix",
        help="correct the prose of Markdown posts, one hunk per sentence; code, links, front "
        "matter and markup never change (same as --agent grammar)",
    )
    parser.add_argument(
        "--agent",
        metavar="NAME",
        default="fix",
        help="the agent to ask: fix (default), grammar, or one `fixer agents` lists",
    )
    parser.add_argument(
        "--into",
        type=Path,
        metavar="PATH",
        help="the new file an agent writes from the FILEs (--agent merge: the merged post)",
    )
    parser.add_argument(
        "--think", action="store_true", help="start with Router.think instead of Router.default"
    )
    parser.add_argument(
        "--compare",
        metavar="ROUTES",
        help="ask several models at once and take each hunk from the one that got it right: "
        "provider,model,provider,model,... or Router scenarios like default,think",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="send calls even over the Budget, or with files that look secret; with --yes "
        "--test, write and commit even when the tests fail",
    )
    parser.add_argument(
        "-i", "--instruction", metavar="TEXT", help="your own request, sent after the files"
    )
    tests = parser.add_mutually_exclusive_group()
    tests.add_argument(
        "--test",
        metavar="COMMAND",
        help="run COMMAND (like 'pytest -x -q') before asking and on the proposal, in a scratch "
        "copy, before you decide; commit only what passes (default: the agent's, then the "
        "config's fixer.test)",
    )
    tests.add_argument(
        "--no-test", action="store_true", help="run no test command, whatever the config says"
    )
    parser.add_argument(
        "--test-timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help=f"kill the test command after SECONDS (default {DEFAULT_TIMEOUT_S:.0f}, "
        "or the config's fixer.test_timeout_s)",
    )
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file to use")
    parser.add_argument(
        "--theme", metavar="NAME", help="review screen theme: dark, light, ansi or your own"
    )
    parser.add_argument("--version", action="version", version=f"fixer {__version__}")
    return parser


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text!r}")
    return seconds


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
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="also say which route a run on these files takes"
    )
    return parser


SUBCOMMANDS = ("config", "usage", "mistakes", "undo", "agents")


def subcommand(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[str | None, list[str]]:
    """The subcommand named by the first word that is not an option or an option's value, and
    its arguments with the options written before it: `fixer --config X config --check` works
    like `fixer config --config X --check`."""
    takes_value = {
        option
        for action in parser._actions
        if action.nargs != 0 and action.option_strings
        for option in action.option_strings
    }
    k = 0
    while k < len(argv):
        word = argv[k]
        if word == "--" or not word.startswith("-"):
            break
        k += 2 if word in takes_value else 1
    if k < len(argv) and argv[k] in SUBCOMMANDS:
        return argv[k], argv[:k] + argv[k + 1 :]
    return None, argv


def main(argv: Sequence[str] | None = None) -> int:
    """Run fixer; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from fixer.errors import FixerError
    from fixer.printable import printable_lines

    try:
        parser = build_parser()
        command, rest = subcommand(parser, argv)
        if command == "config":
            return config_command(build_config_parser().parse_args(rest))
        if command == "usage":
            from fixer.usage import usage_main

            return usage_main(rest, os.environ)
        if command == "mistakes":
            from fixer.mistakes import mistakes_main

            return mistakes_main(rest, os.environ)
        if command == "undo":
            return undo_command(build_undo_parser().parse_args(rest))
        if command == "agents":
            return agents_command(build_agents_parser().parse_args(rest))
        return fix_command(parser, parser.parse_args(argv))
    except FixerError as error:
        print(f"fixer: {printable_lines(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("fixer: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fixer --print ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # a bug of fixer's own: one line here, the traceback in a file
        from fixer.crash import EXIT_CODE, crash_message, write_crash_report

        written = isinstance(error, Crashed) and error.written
        cause = error.__cause__ if isinstance(error, Crashed) and error.__cause__ else error
        report = write_crash_report(cause, os.environ)
        print(f"fixer: {printable_lines(crash_message(cause, report, written))}", file=sys.stderr)
        return EXIT_CODE


class Crashed(Exception):
    """The review screen crashed; `written` says whether accepted hunks were written first."""

    def __init__(self, written: bool) -> None:
        super().__init__("the review screen crashed")
        self.written = written


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
    tokens = _prompt_estimate([Path(f) for f in args.files], config) if args.files else None
    print(render_config(config, os.environ, tokens))
    for problem in check_config(config, os.environ):
        print(f"fixer config: warning: {problem}", file=sys.stderr)
    return 0


def build_undo_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="fixer undo",
        description="Take back the last commit fixer made in this repository: HEAD goes back to "
        "its parent and the files it changed get their content from before; your other work "
        "is kept. Refused (exit 4, with the git revert command that works instead) when that "
        "commit is not HEAD, is already pushed, or its files changed since.",
    )


def build_agents_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fixer agents",
        description="List every agent, built in and yours: where it is defined, its route as the "
        "config resolves it, its files and guard, and from the ledger over the last 30 days: "
        "calls, hunks accepted and rejected, and the cost per accepted hunk.",
    )
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file to use")
    parser.add_argument("--json", action="store_true", help="print JSON; amounts as strings")
    return parser


def agents_command(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from fixer.agents import all_agents
    from fixer.agents.listing import DAYS, agents_json, render_agents
    from fixer.config import load_config
    from fixer.ledger import Ledger, ledger_path

    config = load_config(args.config, os.environ)
    path = ledger_path(os.environ)
    calls = []
    if path.exists():
        with Ledger(path) as ledger:
            calls = ledger.calls(datetime.now(UTC) - timedelta(days=DAYS))
    render = agents_json if args.json else render_agents
    print(render(all_agents(config.agents.agents), config, calls), end="")
    return 0


def undo_command(args: argparse.Namespace) -> int:
    from fixer.errors import InputError
    from fixer.printable import printable_lines
    from fixer.vcs import open_repo

    repo = open_repo(Path.cwd())
    if repo is None:
        raise InputError("fixer undo works inside a git repository, and this is not one.")
    undone = repo.undo()
    print(
        printable_lines(
            f"undone {undone.sha[:12]} {undone.subject}: HEAD is back at {undone.head[:12]}, "
            f"and {', '.join(undone.files)} have their content from before it. The commit is "
            f"kept: git cherry-pick {undone.sha} brings it back."
        )
    )
    return 0


def _taken_by(agent: Agent) -> Callable[[str], bool]:
    return lambda name: agent.refusal(name) is None


def fix_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from fixer.agents import all_agents, find_agent
    from fixer.config import load_config
    from fixer.errors import InputError
    from fixer.folders import expand
    from fixer.printable import printable
    from fixer.session import Job, Run, open_workspace, paths_named_by, run_sources

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
    if args.compare and (args.model or args.from_diff is not None):
        parser.error("--compare names its own models: -m and --from-diff do not apply")
    config = load_config(args.config, os.environ)  # with --from-diff too: the commit message
    agent = find_agent(args.agent, all_agents(config.agents.agents), config.agents.problems)
    agent = agent.configured(config)
    if not agent.takes_diffs and (args.from_diff is not None or args.compare):
        parser.error(
            f"the {agent.name} agent asks for its changes itself: --from-diff and --compare "
            "do not apply"
        )
    # A folder is the files in it that git tracks and the agent takes (fixer/folders.py).
    folders = expand(paths, workspace.root, workspace.repo is not None, _taken_by(agent))
    paths = folders.paths
    for note in folders.notes:
        print(f"fixer: {printable(note)}", file=sys.stderr)
    for path in paths:
        why = agent.refusal(path.name)
        if why is not None:
            raise InputError(why)
    job = Job(
        paths,
        args.model,
        args.instruction,
        args.config,
        diff_text,
        think=args.think,
        compare=args.compare,
        agent=agent,
        into=args.into,
        test=None if args.no_test else args.test or agent.test or config.tests.command,
        test_timeout_s=args.test_timeout or config.tests.timeout_s,
    )
    sources = run_sources(job, workspace.root)
    # A printed --from-diff run makes no call: its caller has no ledger to open.
    calls = diff_text is None or not args.print_diff
    caller = _caller(config, args.force, agent.name, records=calls)
    try:
        run = Run(job, workspace, sources, config, caller, os.environ, not args.no_commit)
        if interactive:
            return _review_in_terminal(run, args.theme)
        _refuse_secrets(run)
        return _headless(run, args)
    finally:
        if caller.ledger_problem:
            print(f"fixer: {caller.ledger_problem} Later calls were not recorded.", file=sys.stderr)
        for route, why in caller.unchecked.items():
            print(f"fixer: the Budget did not count the calls to {route}: {why}", file=sys.stderr)
        caller.close()
        if caller.ledger is not None:
            caller.ledger.close()


def _refuse_secrets(run: Run) -> None:
    """Headless, a file that likely holds secrets is not sent without --force (the review
    screen asks instead)."""
    from fixer.errors import InputError
    from fixer.session import secrets_warning

    warning = secrets_warning(run)
    if warning:
        raise InputError(
            f"{warning} Nothing was sent. Leave it out, use -m local, or pass --force to send "
            "it anyway."
        )


def _caller(config: Config, force: bool, agent: str, *, records: bool) -> Caller:
    from fixer.calls import Caller

    if not records:
        return Caller(config, os.environ, force=force, agent=agent)
    ledger, problem = _open_ledger()
    return Caller(
        config, os.environ, ledger=ledger, ledger_problem=problem, force=force, agent=agent
    )


def _open_ledger():
    """The usage ledger, or None and why (said once) when it cannot be opened: a fix never
    waits on it, but a daily Budget cannot be kept without it."""
    from fixer.ledger import Ledger, LedgerError, ledger_path

    try:
        return Ledger(ledger_path(os.environ)), None
    except LedgerError as error:
        print(f"fixer: {error} Costs of this run are not recorded.", file=sys.stderr)
        return None, str(error)


def _headless(run: Run, args: argparse.Namespace) -> int:
    """--print and --yes: the proposal, then the diff or every unflagged hunk written."""
    if run.verifier is not None:
        from fixer.printable import printable

        route = run.route()
        asks = route is not None and not route.is_local  # a model is asked: they run first
        when = "before asking and on the proposal" if asks else "on the proposal"
        command = printable(run.verifier.command)
        print(f"fixer: the tests ({command}) run {when}, in a scratch copy", file=sys.stderr)
    proposal = _propose(run)
    _report_proposal(proposal)
    if proposal.explanation:
        from fixer.printable import printable_lines

        said = printable_lines(proposal.explanation).replace("\n", "\n  ")
        print(f"fixer: the model says:\n  {said}", file=sys.stderr)
    if not proposal.review.hunks:
        return 0
    flagged = [h for h in proposal.review.hunks if h.flag]
    if args.print_diff and not (flagged and (run.job.compare or not run.job.agent.prints_flagged)):
        _print_diff(proposal.review.as_diff())
        _tell_corrections(proposal, None)  # nothing was decided: what was proposed
        return 0
    proposal.review.accept_all()
    if flagged:
        # An agent's guard flags a hunk that does more than its job (a grammar hunk touching
        # code or markup), and compared models' disagreements are flagged (two versions of one
        # line cannot both be printed): never written, nor printed, without a look.
        from fixer.report import counted

        names = ", ".join(sorted({f"{h.name} ({h.flag})" for h in flagged}))
        print(
            f"fixer: {'--print' if args.print_diff else '--yes'} dropped "
            f"{counted(len(flagged), 'flagged hunk')} in {names}; "
            f"{_review_later(proposal, run.job)}",
            file=sys.stderr,
        )
    if args.print_diff:
        _print_diff(proposal.review.as_diff(only_accepted=True))
        _tell_corrections(proposal, None)
        return 0
    if not proposal.review.accepted():
        print("fixer: no hunk accepted; nothing written", file=sys.stderr)
        return 0
    refused = _failing_tests(run, proposal, args.force)
    if refused:
        print(f"fixer: {refused}", file=sys.stderr)
        return 6
    from fixer.report import summary

    outcome = run.finish(proposal, _commit_message(run, proposal))
    run.settle(proposal, outcome)
    print(summary(proposal, outcome, run.caller.attempts))
    _tell_corrections(proposal, outcome)
    return 4 if outcome.refused else 0


def _tell_corrections(proposal: Proposal, outcome: Outcome | None) -> None:
    """After a grammar review, what it corrected (the accepted hunks written), by kind and
    most frequent phrases; with no `outcome` (--print), what it proposed. Code says nothing."""
    from fixer.mistakes import review_summary
    from fixer.session import corrected

    if outcome is None:
        hunks = proposal.review.hunks
        said = review_summary(
            [c for h in hunks if h.correction for c in h.correction.each()], decided=False
        )
    else:
        said = review_summary([c for _, _, c in corrected(proposal, outcome)])
    if said:
        print(said, file=sys.stderr)


SHOWN_TEST_TOKENS = 600  # of a failing test run's output on stderr: what failed, and the end


def _failing_tests(run: Run, proposal: Proposal, force: bool) -> str | None:
    """The commit gate of --yes: why the accepted hunks are not written (the test command
    fails on them), or None. They are tested again unless they are what was tested."""
    from fixer.failure import trim_output
    from fixer.printable import printable_lines

    verifier = run.verifier
    if verifier is None:
        return None
    tests = proposal.accepted_tests
    if tests is None:
        tests = run.caller.run(verifier.on(proposal.review.new_texts()))
    print(f"fixer: {tests.summary()} on the accepted hunks", file=sys.stderr)
    if tests.passed:
        return None
    said = printable_lines(trim_output(tests.output, SHOWN_TEST_TOKENS)).replace("\n", "\n  ")
    print(f"fixer: the test command said:\n  {said}", file=sys.stderr)
    if force:
        print("fixer: --force: written and committed anyway", file=sys.stderr)
        return None
    return (
        f"{tests.summary()} with the accepted hunks, so nothing was written. Review them "
        "(fixer without --yes shows the output), or pass --force to write and commit them anyway."
    )


def _review_later(proposal: Proposal, job: Job) -> str:
    """The command that reviews the hunks --yes or --print left out. They are kept in a file
    for --from-diff (no model call: they are paid for), except compared models' rival versions
    of one line, which only a compared run can show side by side."""
    import shlex

    from fixer.xdg import write_state_file

    files = " ".join(shlex.quote(str(p)) for p in job.paths)
    if job.compare:
        return f"review them with: fixer --compare {shlex.quote(job.compare)} {files}"
    diff = proposal.review.as_diff(only_flagged=True)
    try:
        path = write_state_file(os.environ, "flagged", "flagged", ".diff", diff)
    except OSError as error:
        return f"they could not be saved for a review ({error})"
    if job.into is not None:  # the diff is of the new file the agent makes of the files
        files = f"--agent {shlex.quote(job.agent.name)} --into {shlex.quote(str(job.into))} {files}"
    return f"review them with: fixer --from-diff {shlex.quote(str(path))} {files}"


def _print_diff(diff: str) -> None:
    """The diff on stdout: its bytes as they are for a pipe or a file (git apply needs them),
    its control characters as symbols on a terminal, where a hunk could erase a line."""
    if sys.stdout.isatty():
        from fixer.printable import printable_lines

        diff = printable_lines(diff)
    sys.stdout.write(diff)


def _report_proposal(proposal: Proposal) -> None:
    """Notes and refusals on stderr, where they stay after the review screen is gone."""
    from fixer.printable import printable_lines

    for note in proposal.all_notes:
        print(f"fixer: {printable_lines(note)}", file=sys.stderr)
    for refusal in proposal.review.refusals:
        what = refusal.ignored or "refused"
        print(f"fixer: {what}: {printable_lines(str(refusal))}", file=sys.stderr)
    if not proposal.review.hunks:
        print("fixer: no changes proposed; nothing to do", file=sys.stderr)
    if proposal.tests is not None:
        print(f"fixer: {proposal.tests.summary()} with every proposed hunk", file=sys.stderr)


def _review_in_terminal(run: Run, theme: str | None) -> int:
    from fixer.config import keymap_conflicts
    from fixer.errors import ConfigError
    from fixer.printable import printable_lines

    if run.config is not None and (conflicts := keymap_conflicts(run.config.ui.keymap)):
        where = run.config.path or run.config.origin
        raise ConfigError(f"{'; '.join(conflicts)} (in {where}); nothing was sent")

    proposal = None
    route = run.route()
    if route is not None and route.is_local:
        # The offline fixers answer at once: with nothing to review, say why here, no screen.
        proposal = _propose(run)
        if not proposal.review.hunks:
            _report_proposal(proposal)
            print(f"fixer: {_next_step(run)}", file=sys.stderr)
            return 0
    from fixer.tui.app import run_review

    result = run_review(run, theme, proposal)
    for problem in result.problems:
        print(f"fixer: {printable_lines(problem)}", file=sys.stderr)
    if result.crash is not None:
        raise Crashed(written=result.outcome is not None) from result.crash
    if result.proposal is not None:
        _report_proposal(result.proposal)
    if result.error is not None:
        raise result.error
    if result.cancelled:
        print("fixer: request cancelled; nothing written", file=sys.stderr)
        return 130
    if result.proposal is not None:
        run.settle(result.proposal, result.outcome)
    if result.outcome is None or result.proposal is None:
        if result.proposal is not None and result.proposal.review.hunks:
            print("fixer: quit; nothing written", file=sys.stderr)
        return 0
    from fixer.report import summary

    print(summary(result.proposal, result.outcome, run.caller.attempts))
    _tell_corrections(result.proposal, result.outcome)
    return 4 if result.outcome.refused else 0


def _next_step(run: Run) -> str:
    """What to try when the offline fixers found nothing."""
    if run.config is not None and run.config.providers:
        return "a model may find more: run it without -m local"
    return (
        "the offline fixers found nothing; a model corrects more (grammar, French, Chinese, "
        "bugs): fixer config shows how to set one up"
    )


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


def _prompt_estimate(paths: list[Path], config: Config) -> int:
    """The largest request's estimate, as a run would group these files."""
    from fixer.session import Job, open_workspace, prompt_estimate, read_sources, run_budget

    job = Job(())
    sources = read_sources(paths, open_workspace(paths).root)
    return prompt_estimate(sources, job, run_budget(job, config))


def _read_diff(source: str) -> str:
    from fixer.errors import InputError

    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the diff {source}: {error}") from None


def _propose(run: Run) -> Proposal:
    line = _ProgressLine(sys.stderr.isatty())
    run.caller.on_estimate = line.estimate
    run.caller.on_run = line.say
    try:
        return run.caller.run(run.propose(run.route(), on_progress=line.progress))
    finally:
        line.clear()


class _ProgressLine:
    """Each call's route and estimated cost before it is sent; on a terminal, then a live
    count of the tokens received."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.head = ""
        self.paused_until: float | None = None  # the pause last said, off a terminal

    def estimate(self, route: Route, cost: Cost) -> None:
        from fixer.cost import format_money

        self.clear()
        about = f"about {format_money(cost.money)}" if cost.money else "price unknown"
        self.head = f"{route}, {about}"
        print(f"fixer: asking {self.head}", file=sys.stderr, flush=True)

    def say(self, text: str) -> None:
        self.clear()
        print(f"fixer: {text}", file=sys.stderr, flush=True)

    def progress(self, progress: Progress) -> None:
        import time

        doing = progress.describe(time.monotonic())
        if self.live:
            sys.stderr.write(f"\r\033[K{self.head}: {doing}, {progress.elapsed_s:.1f}s")
            sys.stderr.flush()
        elif progress.paused_until is not None and progress.paused_until != self.paused_until:
            self.paused_until = progress.paused_until  # once per pause: a log stays readable
            at = time.strftime(
                "%H:%M:%S", time.localtime(time.time() + progress.paused_until - time.monotonic())
            )
            print(f"fixer: {doing} (at {at})", file=sys.stderr, flush=True)

    def clear(self) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")


def _commit_message(run: Run, proposal: Proposal) -> str:
    if not run.commit or run.workspace.repo is None:
        return ""
    message, note = run.caller.run(run.commit_message(proposal, reviewed=False))
    if note:
        print(f"fixer: {note}", file=sys.stderr)
    return message
