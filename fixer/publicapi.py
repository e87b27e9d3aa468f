"""A Python file's public API, and the hunks that change it: the refactor agent's guard.

The API is read from the file's syntax tree (never from its text, so a `#` or a `def` inside a
string means nothing): the module-level names a caller can import, and the signatures of its
public functions and of the public methods of its public classes. Pure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from fixer.local import PYTHON_SUFFIXES
from fixer.patch import Hunk, apply_hunks

# Statements whose bodies still bind module-level names (`try: import x`, `if TYPE_CHECKING:`).
_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
_KINDS = ("staticmethod", "classmethod", "property")


@dataclass(frozen=True)
class Api:
    """What other code may rely on: public module-level names (imports only when in __all__),
    and each public function's or method's signature, as text ("f", "C.m" -> "(a, b=1)")."""

    names: frozenset[str]
    signatures: dict[str, str]


class Unparsable(ValueError):
    """The text is not Python that this interpreter parses."""


def is_python(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in PYTHON_SUFFIXES


def api_of(text: str) -> Api:
    """The public API of a module's source, or Unparsable."""
    try:
        return _api(ast.parse(text.removeprefix("\ufeff")))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:  # ValueError: a NUL
        raise Unparsable(str(error)) from None


def _api(tree: ast.Module) -> Api:
    exported = _all(tree)
    names: set[str] = set()
    signatures: dict[str, str] = {}
    for node, name in _bindings(tree.body):
        public = name in exported or not name.startswith("_")
        if not public or (isinstance(node, ast.Import | ast.ImportFrom) and name not in exported):
            continue  # a removed unused import is clean-up, unless the module exports it
        names.add(name)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            signatures[name] = _signature(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _public(item.name):
                    signatures[f"{name}.{item.name}"] = _signature(item)
    return Api(frozenset(names), signatures)


def api_changes(name: str, original: str, hunks: Sequence[Hunk]) -> list[str | None]:
    """For each hunk, how it alone changes the public API of the Python file `name` (a Guard
    check), or None. Other files are not checked: every hunk passes."""
    if not is_python(name):
        return [None] * len(hunks)
    try:
        before = api_of(original)
    except Unparsable as error:
        return [f"{name} does not parse ({error}): its public API cannot be checked"] * len(hunks)
    return [_change(before, apply_hunks(original, [hunk])) for hunk in hunks]


def _change(before: Api, text: str) -> str | None:
    """How the API of `text` differs from `before`, in words, or None."""
    try:
        after = api_of(text)
    except Unparsable as error:
        return f"the file does not parse with this hunk alone ({error})"
    gone = sorted(before.names - after.names)
    new = sorted(after.names - before.names)
    reasons = []
    if gone and len(gone) == len(new):
        pairs = ", ".join(f"{old} to {to}" for old, to in zip(gone, new, strict=True))
        reasons.append(f"renames the public {_plural('name', gone)} {pairs}")
    elif gone:
        reasons.append(f"removes the public {_plural('name', gone)} {', '.join(gone)}")
    for key, was in before.signatures.items():
        now = after.signatures.get(key)
        if now is None and "." in key and key.partition(".")[0] in after.names:
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


def _all(tree: ast.Module) -> frozenset[str]:
    """The names a literal module-level __all__ lists (none when it is computed)."""
    found: set[str] = set()
    for node, name in _bindings(tree.body):
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
