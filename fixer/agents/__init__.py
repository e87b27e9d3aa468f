"""The agents fixer runs: the built-in ones, one small module each, and the user's own.

Only this package knows which agent does what; the session, the review and the screen ask the
agent (its requests, messages, review, guard, view), never its name.
"""

from __future__ import annotations

from fixer.agents.agent import NO_GUARD, Agent, Guard, diff_review, refuse_unwritable
from fixer.agents.fix import FIX
from fixer.agents.grammar import GRAMMAR
from fixer.errors import InputError

BUILT_IN: tuple[Agent, ...] = (FIX, GRAMMAR)

__all__ = [
    "BUILT_IN",
    "FIX",
    "GRAMMAR",
    "NO_GUARD",
    "Agent",
    "Guard",
    "diff_review",
    "find_agent",
    "refuse_unwritable",
]


def find_agent(name: str, agents: tuple[Agent, ...] = BUILT_IN) -> Agent:
    """The agent called `name`, or an InputError listing the ones there are."""
    for agent in agents:
        if agent.name == name:
            return agent
    names = ", ".join(a.name for a in agents)
    raise InputError(f"no agent is called {name!r}; the agents are: {names} (see `fixer agents`)")
