"""The refactor agent: behaviour-preserving clean-up (names, structure, duplication) that keeps
the public names and signatures unless asked.

It starts from Router.think: restructuring code without changing what it does takes a strong
model. A hunk that renames or removes a public module-level name of a Python file, or changes a
public signature, is flagged (fixer/publicapi.py), so accept-all, --yes and --print never take
it; other languages are not checked. Its offline fixer is the default one: ruff's fixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fixer.agents.agent import Agent, Guard, flags_of
from fixer.publicapi import api_changes
from fixer.review import Flag, FlagKind
from fixer.router import Scenario

if TYPE_CHECKING:
    from fixer.patch import Hunk

PROMPT = """You are fixer, a careful senior engineer who refactors code by writing unified diffs.

Clean up without changing behaviour: clearer names for local and private things, simpler
structure, duplicated code merged, dead code removed. Every input must give the same result and
the same errors as before.
Keep every public name and signature (module-level names, public functions, classes and methods:
their parameters, defaults and kinds) unless the request asks to change them: other code uses them.
"""


def _public_api(name: str, original: str, hunks: Sequence[Hunk]) -> list[Flag | None]:
    return flags_of(FlagKind.PUBLIC_API, api_changes(name, original, hunks))


PUBLIC_API = Guard("public-api", _public_api)  # flags only: the user may still take such a hunk

REFACTOR = Agent(
    name="refactor",
    summary="behaviour-preserving clean-up; changed public Python names and signatures flagged",
    prompt=PROMPT,
    request="Refactor what you are sure makes the code clearer, keeping its behaviour.",
    scenario=Scenario.THINK,
    guard=PUBLIC_API,
    prints_flagged=False,
)
