"""Your mistakes, to learn from: what a grammar review corrected, by kind, with the words and
phrases corrected most often; and `fixer mistakes`, the same from the ledger over time, per
language.

Standard library only, like the ledger: the report imports nothing heavy.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from fixer.corrections import phrase
from fixer.ledger import AcceptedCorrection, ledger_path
from fixer.printable import printable
from fixer.usage import add_period, period, period_json, read_ledger

SUMMARY_PHRASES = 5  # the phrases a review's summary names; the rest are counted
REPORT_PHRASES = 10  # per language in `fixer mistakes` (--json has them all)


class Corrected(Protocol):
    """A correction as both a review's hunks (Correction) and the ledger (AcceptedCorrection)
    have it."""

    @property
    def kind(self) -> str: ...
    @property
    def before(self) -> str: ...
    @property
    def after(self) -> str: ...


@dataclass(frozen=True)
class Phrase:
    """One change made that many times: recieve → receive ×3."""

    kind: str
    before: str
    after: str
    count: int

    def __str__(self) -> str:
        said = printable(phrase(self.before, self.after))
        return f"{said} ×{self.count}" if self.count > 1 else said


@dataclass(frozen=True)
class Tally:
    """Corrections counted: in all, by kind and by phrase, most first (ties in order of
    appearance)."""

    count: int
    kinds: dict[str, int]
    phrases: tuple[Phrase, ...]  # a change with no words (only spacing) is in kinds only


def tally(corrections: Iterable[Corrected]) -> Tally:
    """Count corrections by kind and by the phrase they change."""
    listed = list(corrections)
    kinds = Counter(str(c.kind) for c in listed)
    said = Counter((str(c.kind), c.before, c.after) for c in listed if c.before or c.after)
    phrases = tuple(Phrase(*change, count) for change, count in said.most_common())
    return Tally(len(listed), dict(kinds.most_common()), phrases)


def _kinds(counted: Tally) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counted.kinds.items())


def review_summary(corrections: Sequence[Corrected], *, decided: bool = True) -> str:
    """What a grammar review corrected (`decided`: the accepted hunks'), or with nothing
    decided (--print) what it proposed, by kind and most frequent phrases; "" for nothing."""
    counted = tally(corrections)
    if not counted.count:
        return ""
    noun = "mistake" if decided else "correction"
    done = "corrected" if decided else "proposed"
    lines = [f"fixer: {done} {counted.count} {noun}{'s' * (counted.count != 1)}: {_kinds(counted)}"]
    if counted.phrases:
        shown = ", ".join(str(p) for p in counted.phrases[:SUMMARY_PHRASES])
        more = len(counted.phrases) - SUMMARY_PHRASES
        lines.append(f"fixer: most frequent: {shown}{f', and {more} more' if more > 0 else ''}")
    return "\n".join(lines)


def by_language(corrections: Iterable[AcceptedCorrection]) -> dict[str, Tally]:
    """The ledger's corrections counted per language, languages by most corrections."""
    grouped: dict[str, list[AcceptedCorrection]] = {}
    for correction in corrections:
        grouped.setdefault(correction.language, []).append(correction)
    tallies = {language: tally(rows) for language, rows in grouped.items()}
    return dict(sorted(tallies.items(), key=lambda item: (-item[1].count, item[0])))


def render_table(languages: Mapping[str, Tally]) -> str:
    """The report as aligned text: per language, the kinds, then the most frequent phrases."""
    lines = ["Mistakes you corrected, by kind and language"]
    for language, counted in languages.items():
        top = counted.phrases[:REPORT_PHRASES]
        kinds = list(counted.kinds.items())
        said = [(printable(phrase(p.before, p.after)), p.count) for p in top]
        width = max(len(text) for text, _ in [*kinds, *said])
        count = counted.count
        lines += ["", f"{printable(language)} · {count} correction{'s' * (count != 1)}"]
        lines += ["  by kind", *(f"    {kind.ljust(width)}  {n:>5}" for kind, n in kinds)]
        if said:
            lines += ["  most frequent", *(f"    {text.ljust(width)}  {n:>5}" for text, n in said)]
        if len(counted.phrases) > len(top):
            lines.append(f"    and {len(counted.phrases) - len(top)} more (--json lists them all)")
    return "\n".join(lines)


def render_json(languages: Mapping[str, Tally], bounds: Mapping[str, Any]) -> str:
    """The report as JSON: every count, every phrase, and the options that made it."""
    report = {
        **bounds,
        "corrections": sum(counted.count for counted in languages.values()),
        "languages": [
            {
                "language": language,
                "corrections": counted.count,
                "kinds": [{"kind": kind, "count": n} for kind, n in counted.kinds.items()],
                "phrases": [
                    {"kind": p.kind, "before": p.before, "after": p.after, "count": p.count}
                    for p in counted.phrases
                ],
            }
            for language, counted in languages.items()
        ],
    }
    return json.dumps(report, indent=2, ensure_ascii=False)


def build_mistakes_parser(today: date) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fixer mistakes",
        description="The mistakes you corrected in grammar reviews, from the ledger: how many of "
        "each kind (spelling, agreement, article, ...) per language, and the words and phrases "
        "you corrected most often. Every accepted grammar hunk is recorded, offline ones too.",
    )
    add_period(parser, today)
    parser.add_argument("--json", action="store_true", help="print JSON, every phrase in it")
    return parser


def _read(
    env: Mapping[str, str], since: datetime | None, until: datetime | None
) -> list[AcceptedCorrection]:
    return read_ledger(env, lambda ledger: ledger.corrections(since, until))


def mistakes_main(argv: list[str], env: Mapping[str, str]) -> int:
    """Run `fixer mistakes`; a broken ledger raises LedgerError (exit 1) naming the file."""
    parser = build_mistakes_parser(datetime.now(UTC).date())
    args = parser.parse_args(argv)
    since, until = period(parser, args)
    languages = by_language(_read(env, since, until))
    where = printable(str(ledger_path(env)))
    if args.json:
        print(render_json(languages, period_json(env, since, until)))
    elif languages:
        print(render_table(languages))
    elif (since is None and until is None) or not _read(env, None, None):
        print(f"Nothing corrected yet in {where}: every grammar hunk you accept is recorded there.")
    else:
        print(f"No corrections recorded in that time in {where}.")
    return 0
