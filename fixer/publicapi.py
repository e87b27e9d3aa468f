"""A Python file's public API, and the hunks that change it: the refactor agent's guard.

The API is read from the file's syntax tree (never from its text, so a `#` or a `def` inside a
string means nothing): the module-level names a caller can import, and the signatures of its
public functions and of the public methods of its public classes. Pure.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from fixer.local import PYTHON_SUFFIXES
from fixer.patch import Hunk, apply_hunks
from fixer.patch.parse import split_lines

# Statements whose bodies still bind module-level names (`try: import x`, `if TYPE_CHECKING:`).
_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
_KINDS = ("staticmethod", "classmethod", "property")


@dataclass(frozen=True)
class Api:
    """What other code may rely on: public module-level names (imports only when in __all__),
    each with how many statements bind it, and each public function's or method's signature,
    as text ("f", "C.m" -> "(a, b=1)")."""

    names: Counter[str]
    signatures: dict[str, str]


class Unparsable(ValueError):
    """The text is not Python that this interpreter parses."""


def is_python(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in PYTHON_SUFFIXES


def api_of(text: str) -> Api:
    """The public API of a module's source, or Unparsable."""
    tree = _parse(text)
    return _api(tree.body, _all(tree.body))


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:  # ValueError: a NUL
        raise Unparsable(str(error)) from None


def _api(body: Sequence[ast.stmt], exported: frozenset[str]) -> Api:
    """The public API the statements `body` bind, `exported` being the module's __all__."""
    names: Counter[str] = Counter()
    signatures: dict[str, str] = {}
    for node, name in _bindings(body):
        public = name in exported or not name.startswith("_")
        if not public or (isinstance(node, ast.Import | ast.ImportFrom) and name not in exported):
            continue  # a removed unused import is clean-up, unless the module exports it
        names[name] += 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            signatures[name] = _signature(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _public(item.name):
                    signatures[f"{name}.{item.name}"] = _signature(item)
    return Api(names, signatures)


def api_changes(name: str, original: str, hunks: Sequence[Hunk]) -> list[str | None]:
    """For each hunk, how it alone changes the public API of the Python file `name` (a Guard
    check), or None. Other files are not checked: every hunk passes.

    Only the module-level statements a hunk touches are parsed again with it (each begins at
    column 0 with nothing open, so the rest of the module reads the same): a reply of many
    hunks costs the size of the file, not hunks times the file."""
    if not is_python(name):
        return [None] * len(hunks)
    try:
        tree = _parse(original)
        exported = _all(tree.body)
        before = _api(tree.body, exported)
    except Unparsable as error:
        return [f"{name} does not parse ({error}): its public API cannot be checked"] * len(hunks)
    lines = [text for text, _ in split_lines(original.removeprefix("\ufeff"))]
    if "\r" in original.replace("\r\n", ""):  # a lone CR ends a line for Python, not for hunks
        return [_change(before, apply_hunks(original, [hunk])) for hunk in hunks]
    spans = [(_first_line(node) - 1, node.end_lineno or node.lineno) for node in tree.body]
    starts, ends = [start for start, _ in spans], [end for _, end in spans]
    found: list[str | None] = []
    for hunk in hunks:
        index = hunk.old_index or 0
        # The statements the hunk's lines touch, and the line on each side (for an insertion).
        first = bisect_right(ends, index - 1)
        last = max(bisect_left(starts, index + hunk.old_count + 1), first)
        nodes = tree.body[first:last]
        low = min(index, starts[first]) if nodes else index
        high = max(index + hunk.old_count, ends[last - 1]) if nodes else index + hunk.old_count
        after = [*lines[low:index], *hunk.new_lines, *lines[index + hunk.old_count : high]]
        try:
            new_body = _parse("\n".join(after)).body
        except Unparsable as error:
            found.append(f"the code around this hunk does not parse with it alone ({error})")
            continue
        if "__all__" in {name for _, name in _bindings([*nodes, *new_body])}:
            found.append(_change(before, apply_hunks(original, [hunk])))  # all imports may change
            continue
        found.append(_compare(before, _api(nodes, exported), _api(new_body, exported)))
    return found


def _first_line(node: ast.stmt) -> int:
    """Where a statement begins: its first decorator, if any."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return node.lineno


def _change(before: Api, text: str) -> str | None:
    """How the API of the whole module `text` differs from `before`, in words, or None."""
    try:
        after = api_of(text)
    except Unparsable as error:
        return f"the file does not parse with this hunk alone ({error})"
    return _compare(before, before, after)


def _compare(before: Api, old: Api, new: Api) -> str | None:
    """How the module's API `before` changes when the part of it `old` becomes `new`."""

    def bound(name: str) -> int:  # statements binding `name` after; only the touched part moves
        return before.names[name] - old.names[name] + new.names[name]

    gone = sorted(n for n in old.names if not bound(n))
    added = sorted(n for n in new.names if not before.names[n])
    reasons = []
    if gone and len(gone) == len(added):
        pairs = ", ".join(f"{was} to {now}" for was, now in zip(gone, added, strict=True))
        reasons.append(f"renames the public {_plural('name', gone)} {pairs}")
    elif gone:
        reasons.append(f"removes the public {_plural('name', gone)} {', '.join(gone)}")
    for key, was in old.signatures.items():
        now = new.signatures.get(key)
        if now is None and "." in key and bound(key.partition(".")[0]):
            reasons.append(f"removes the public method {key}")
        elif now is not None and now != was:
            reasons.append(f"changes the signature of {key}{was} to {key}{now}")
    return "; ".join(reasons) or None


def _plural(word: str, items: Sequence[str]) -> str:
    return word if len(items) == 1 else word + "s"


def _public(name: str) -> bool:
    """A name callers may use: no leading underscore, or a dunder such as __init__."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _bindings(body: Sequence[ast.stmt]) -> Iterator[tuple[ast.stmt, str]]:
    """Each module-level statement that binds a name, with the name."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node, node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):  # a, (b, *c) = ...
                    if isinstance(leaf, ast.Name):
                        yield node, leaf.id
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    yield node, alias.asname or alias.name.partition(".")[0]
        elif isinstance(node, _BLOCKS):
            yield from _bindings(node.body)
            if not isinstance(node, ast.With | ast.AsyncWith):
                yield from _bindings(node.orelse)
            if isinstance(node, ast.Try | ast.TryStar):
                yield from _bindings(node.finalbody)
                for handler in node.handlers:
                    yield from _bindings(handler.body)


def _all(body: Sequence[ast.stmt]) -> frozenset[str]:
    """The names a literal module-level __all__ lists (none when it is computed)."""
    found: set[str] = set()
    for node, name in _bindings(body):
        if name == "__all__" and isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            if isinstance(value, ast.List | ast.Tuple):
                found |= {
                    e.value
                    for e in value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
    return frozenset(found)


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The parameters as a caller sees them: kinds, names and defaults (annotations are not
    part of the call), and whether it is a static or class method or a property."""
    args = node.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    parts = [_param(a.arg, d) for a, d in zip(positional, defaults, strict=True)]
    if args.posonlyargs:
        parts.insert(len(args.posonlyargs), "/")
    if args.vararg:
        parts.append(f"*{args.vararg.arg}")
    elif args.kwonlyargs:
        parts.append("*")
    parts += [_param(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if args.kwarg:
        parts.append(f"**{args.kwarg.arg}")
    kinds = [d.id for d in node.decorator_list if isinstance(d, ast.Name) and d.id in _KINDS]
    return f"({', '.join(parts)})" + "".join(f" [{kind}]" for kind in kinds)


def _param(name: str, default: ast.expr | None) -> str:
    return name if default is None else f"{name}={ast.unparse(default)}"
