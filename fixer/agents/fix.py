"""The fix agent (the default): bugs and errors, in any file, with the fewest changed lines."""

from __future__ import annotations

from fixer.agents.agent import Agent

PROMPT = """You are fixer, a careful senior engineer who fixes code by writing unified diffs.

Fix real problems only: bugs, crashes, wrong results, typos in identifiers or messages. Keep the
author's style, names and formatting; do not reformat or refactor what you do not fix.
"""

FIX = Agent(
    name="fix",
    summary="bugs and errors, in any file",
    prompt=PROMPT,
    request="Fix the bugs and errors you are sure of.",
)
