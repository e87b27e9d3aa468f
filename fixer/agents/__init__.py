"""The agents fixer runs: the built-in ones, one small module each, and the user's own.

Only this package knows which agent does what; the session, the review and the screen ask the
agent (its requests, messages, review, guard, view), never its name.
"""

from __future__ import annotations

from collections.abc import Sequence

from fixer.agents.agent import NO_GUARD, Agent, Guard, diff_review, refuse_unwritable
from fixer.agents.docs import DOCS
from fixer.agents.fix import FIX
from fixer.agents.grammar import GRAMMAR
from fixer.agents.merge import MERGE
from fixer.agents.refactor import REFACTOR
from fixer.errors import ConfigError, InputError

BUILT_IN: tuple[Agent, ...] = (FIX, REFACTOR, DOCS, GRAMMAR, MERGE)

__all__ = [
    "BUILT_IN",
    "DOCS",
    "FIX",
    "GRAMMAR",
    "MERGE",
    "NO_GUARD",
    "REFACTOR",
    "Agent",
    "Guard",
    "all_agents",
    "diff_review",
    "find_agent",
    "refuse_unwritable",
]


def all_agents(user: Sequence[Agent] = ()) -> tuple[Agent, ...]:
    """The built-in agents, then the user's; a user's agent of a built-in name replaces it."""
    mine = {agent.name: agent for agent in user}
    return tuple(mine.pop(a.name, a) for a in BUILT_IN) + tuple(mine.values())


def find_agent(
    name: str, agents: Sequence[Agent] = BUILT_IN, problems: Sequence[str] = ()
) -> Agent:
    """The agent called `name`, or an InputError listing the ones there are (and what keeps a
    user's agent of that name out, when something does)."""
    for agent in agents:
        if agent.name == name:
            return agent
    why = [p for p in problems if p.startswith(f"agent {name!r} ")]
    if why:
        raise ConfigError("; ".join(why))
    names = ", ".join(a.name for a in agents)
    raise InputError(f"no agent is called {name!r}; the agents are: {names} (see `fixer agents`)")
