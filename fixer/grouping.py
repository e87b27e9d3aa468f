"""How many files go in one request: small files together, a big one alone, under a budget.

A run over a folder must not become one huge long-context prompt, nor two hundred tiny ones.
Pure and stable: the same files in the same order (a folder's, sorted) always make the same
requests, packed greedily in that order, so a provider's prompt cache keeps hitting when the
run is made again.
"""

from __future__ import annotations

from collections.abc import Mapping

from fixer.router import long_context_threshold

PER_FILE_TOKENS = 30  # a file's header and fences in the prompt, beyond its text


def group_files(sizes: Mapping[str, int], budget: int) -> list[list[str]]:
    """The file names (with their estimated tokens) cut into requests of at most `budget`
    tokens each; a file over the budget is a request of its own. No budget: one request."""
    if budget <= 0:
        return [list(sizes)] if sizes else []
    groups: list[list[str]] = []
    used = budget  # the current request is full: the first file starts one
    for name in sizes:
        size = sizes[name] + PER_FILE_TOKENS
        if used + size > budget:
            groups.append([])
            used = 0
        groups[-1].append(name)
        used += size
    return groups


def request_budget(router: Mapping[str, object], max_output_tokens: int, rules: int) -> int:
    """The files' tokens one request may hold: under Router.longContextThreshold (past it the
    request needs the long-context model), and no more than one reply may write back, so a
    diff that rewrites them all still fits; `rules` (the system prompt's tokens) aside."""
    threshold = long_context_threshold(router) or max_output_tokens
    return max(min(threshold, max_output_tokens) - rules, 1)
