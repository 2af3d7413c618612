"""The layer map, enforced: which project package may import which, and no import cycles.

Every ``.py`` file under ``appliance/``, ``web/`` and ``modem/`` is parsed with
``ast`` (nothing is imported). Every import statement counts, wherever it is:
at module level, inside a function, under ``if TYPE_CHECKING:``, in a ``try``.
Only imports whose top-level name is ``appliance``, ``web`` or ``modem`` matter.

The map (a module belongs to the first layer whose prefix matches it; any layer
may import itself):

    appliance.domain    pure rules                    -> nothing else of the project
    appliance.settings  the settings                  -> domain
    appliance.store     database, models, migrations  -> domain, settings
    appliance.sms       bank SMS reading, no database -> domain, settings
    appliance.usecases  the use cases                 -> domain, settings, store, sms
    appliance.box       the appliance's operations    -> domain, settings, store, usecases, sms
    appliance.runtime,
    appliance.jobs      the composition root          -> everything but appliance.cli
    appliance.cli       the command line              -> everything
    appliance           the package (__version__)     -> nothing of the project
    web                 the Bottle app                -> appliance, domain, settings, usecases
    modem               a leaf library                -> nothing of appliance or web

Cycles: every strongly connected component of more than one module is
reported, once the edges from a package's ``__init__`` to its own submodules
(re-exports) are left out.
"""

from __future__ import annotations

import ast
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("appliance", "web", "modem")

#: module -> {imported project module: line of its first import}
Graph = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Layer:
    """One row of the map: a module prefix and the layers it may import besides itself."""

    name: str
    may_import: frozenset[str]
    exact: bool = False  # True: only the module ``name`` itself, not its submodules

    def contains(self, module: str) -> bool:
        """Whether ``module`` belongs to this layer's prefix."""
        if self.exact:
            return module == self.name
        return module == self.name or module.startswith(self.name + ".")


def _layers() -> tuple[Layer, ...]:
    """The layer map, in matching order (the first matching prefix wins)."""
    domain, settings, store, sms = "appliance.domain", "appliance.settings", "appliance.store", "appliance.sms"
    usecases, box, runtime, jobs = "appliance.usecases", "appliance.box", "appliance.runtime", "appliance.jobs"
    cli, package, web, modem = "appliance.cli", "appliance", "web", "modem"
    everything = {domain, settings, store, sms, usecases, box, runtime, jobs, cli, package, web, modem}
    table = (
        Layer(domain, frozenset()),
        Layer(settings, frozenset({domain})),
        Layer(store, frozenset({domain, settings})),
        Layer(sms, frozenset({domain, settings})),
        Layer(usecases, frozenset({domain, settings, store, sms})),
        Layer(box, frozenset({domain, settings, store, usecases, sms})),
        Layer(runtime, frozenset(everything - {cli})),
        Layer(jobs, frozenset(everything - {cli})),
        Layer(cli, frozenset(everything)),
        Layer(package, frozenset(), exact=True),
        Layer(web, frozenset({package, domain, settings, usecases})),
        Layer(modem, frozenset()),
    )
    return table


LAYERS = _layers()


# --- reading the imports --------------------------------------------------------------------


def module_name(root: Path, path: Path) -> str:
    """The dotted name of the module in ``path`` (``pkg/__init__.py`` is ``pkg``)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(module name, file) for every ``.py`` file of the project packages under ``root``, sorted."""
    for package in PACKAGES:
        base = root / package
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            yield module_name(root, path), path


def known_modules(names: Iterable[str]) -> set[str]:
    """The modules, with every package that contains one (namespace folders included)."""
    known: set[str] = set()
    for name in names:
        parts = name.split(".")
        known.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return known


def is_project(name: str) -> bool:
    """Whether a dotted name belongs to one of the project's top-level packages."""
    return name.split(".", 1)[0] in PACKAGES


def resolve_existing(name: str, known: set[str]) -> str:
    """The longest prefix of ``name`` that is a known module; ``name`` itself if none is."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in known:
            return candidate
    return name


def relative_base(module: str, is_package: bool, level: int) -> str | None:
    """The package that a relative import of ``level`` dots in ``module`` starts from."""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(parts) - 1:
        return None  # beyond the top-level package: not ours to judge
    return ".".join(parts[: len(parts) - (level - 1)])


def targets_of(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The project modules one import statement brings in, resolved against ``known``."""
    if isinstance(node, ast.Import):
        return [resolve_existing(alias.name, known) for alias in node.names if is_project(alias.name)]
    if node.level:
        base = relative_base(module, is_package, node.level)
        if base is None:
            return []
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    if not is_project(source):
        return []
    found = []
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        found.append(submodule if alias.name != "*" and submodule in known else resolve_existing(source, known))
    return found


def parse(path: Path) -> ast.Module:
    """The file's syntax tree (warnings about its string escapes are not this test's business)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def collect_imports(root: Path) -> Graph:
    """module -> {project module it imports: first line}, for every module under ``root``."""
    files = dict(project_files(root))
    known = known_modules(files)
    graph: Graph = {}
    for module, path in files.items():
        edges: dict[str, int] = {}
        is_package = path.name == "__init__.py"
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in targets_of(node, module, is_package, known):
                    if target != module:
                        edges[target] = min(edges.get(target, node.lineno), node.lineno)
        graph[module] = edges
    return graph


# --- the rules ------------------------------------------------------------------------------


def layer_of(module: str) -> Layer | None:
    """The first layer whose prefix matches ``module``, or None."""
    return next((layer for layer in LAYERS if layer.contains(module)), None)


def describe(layer: Layer) -> str:
    """What a layer may import, in words, for a failure message."""
    others = [name for name in (lay.name for lay in LAYERS) if name in layer.may_import]
    if not others:
        return f"{layer.name} may import nothing of the project but {layer.name} itself"
    missing = [lay.name for lay in LAYERS if lay.name not in layer.may_import and lay.name != layer.name]
    if len(missing) == 1:
        return f"{layer.name} may import anything but {missing[0]}"
    if not missing:
        return f"{layer.name} may import anything"
    return f"{layer.name} may import only {', '.join(others)} (and {layer.name} itself)"


def edge_problem(source: str, target: str) -> str | None:
    """Why ``source`` may not import ``target``, or None when it may."""
    source_layer, target_layer = layer_of(source), layer_of(target)
    if source_layer is None:
        return f"{source} is in no layer of the map in tests/unit/test_layers.py; put it in one"
    if target_layer is None:
        return f"{target} is in no layer of the map in tests/unit/test_layers.py; put it in one"
    if target_layer is source_layer or target_layer.name in source_layer.may_import:
        return None
    return describe(source_layer)


def unlayered(graph: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One message per module of the project that no row of the map holds."""
    return [
        f"{module} is in no layer of the map in tests/unit/test_layers.py; put it in one"
        for module in sorted(graph)
        if layer_of(module) is None
    ]


def forbidden_edges(graph: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One message per import that breaks the layer map, sorted by importing module."""
    problems = []
    for source in sorted(graph):
        for target, line in sorted(graph[source].items()):
            reason = edge_problem(source, target)
            if reason is not None:
                problems.append(f"{source} imports {target} (line {line}): {reason}")
    return problems


# --- cycles ---------------------------------------------------------------------------------


def is_reexport(source: str, target: str) -> bool:
    """Whether the edge is a package's ``__init__`` importing one of its own submodules."""
    return target.startswith(source + ".")


def cycle_graph(graph: Mapping[str, Mapping[str, int]]) -> dict[str, list[str]]:
    """The edges that count for cycles: project modules only, re-exports left out."""
    return {
        source: sorted(t for t in targets if t in graph and not is_reexport(source, t))
        for source, targets in graph.items()
    }


def components(edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    found.append(sorted(members))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def shortest_cycle(edges: Mapping[str, list[str]], start: str, members: set[str]) -> list[str]:
    """A shortest import path from ``start`` back to itself inside one component."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in edges[node]:
            if child not in members:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return [start]


def cycles(graph: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One message per import cycle (strongly connected component of two modules or more)."""
    edges = cycle_graph(graph)
    messages = []
    for members in sorted(components(edges)):
        if len(members) < 2:
            continue
        path = shortest_cycle(edges, members[0], set(members))
        message = f"import cycle: {' -> '.join(path)}"
        if len(members) > len(path) - 1:
            message += f" (one of the cycles among {len(members)} modules: {', '.join(members)})"
        messages.append(message)
    return messages


# --- the tests ------------------------------------------------------------------------------


def fail_with(problems: list[str], what: str) -> None:
    """Fail the test with every problem on its own line."""
    if problems:
        pytest.fail(f"{what} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


def test_the_checker_reads_the_whole_project() -> None:
    graph = collect_imports(ROOT)
    for package in PACKAGES:
        assert package in graph, f"{package}/__init__.py not found under {ROOT}"
    assert len(graph) > 50, f"only {len(graph)} modules found under {ROOT}"


def test_every_module_is_in_a_layer() -> None:
    fail_with(unlayered(collect_imports(ROOT)), "modules outside the layer map")


def test_every_import_follows_the_layer_map() -> None:
    fail_with(forbidden_edges(collect_imports(ROOT)), "imports that break the layer map")


def test_there_is_no_import_cycle() -> None:
    fail_with(cycles(collect_imports(ROOT)), "import cycles")


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    """Write ``{relative path: source}`` under ``root``, creating the folders."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


PLANTED = {
    "appliance/__init__.py": '__version__ = "0"\n',
    "appliance/domain/__init__.py": "",
    "appliance/domain/money.py": "",
    "appliance/store/__init__.py": "from appliance.store import models\n",
    "appliance/store/models.py": "from appliance.domain import money\n",
    "appliance/usecases/__init__.py": "",
    "appliance/usecases/a.py": "def f():\n    from . import b\n",
    "appliance/usecases/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n",
    "web/__init__.py": "",
    "web/x.py": "from appliance import __version__\nimport appliance.store.models\n",
    "modem/__init__.py": "from ..appliance import nothing\n",
    "modem/at.py": "import json\nfrom modem import errors\n",
}


def test_the_checker_catches_planted_violations(tmp_path: Path) -> None:
    write_tree(tmp_path, PLANTED)
    graph = collect_imports(tmp_path)

    assert graph["appliance.usecases.a"] == {"appliance.usecases.b": 2}  # inside a function, relative
    assert graph["appliance.usecases.b"] == {"appliance.usecases.a": 3}  # under TYPE_CHECKING
    assert graph["appliance.store.models"] == {"appliance.domain.money": 1}  # `from pkg import module`
    assert graph["web.x"] == {"appliance": 1, "appliance.store.models": 2}
    assert graph["modem.at"] == {"modem": 2}  # no modem/errors.py: the package itself
    assert unlayered(graph) == []
    assert unlayered({"appliance.stray": {}}) == [
        "appliance.stray is in no layer of the map in tests/unit/test_layers.py; put it in one"
    ]

    assert forbidden_edges(graph) == [
        (
            "web.x imports appliance.store.models (line 2): web may import only "
            "appliance.domain, appliance.settings, appliance.usecases, appliance (and web itself)"
        ),
    ]

    assert cycles(graph) == ["import cycle: appliance.usecases.a -> appliance.usecases.b -> appliance.usecases.a"]


def test_a_package_reexporting_its_submodules_is_no_cycle(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "appliance/__init__.py": "",
            "appliance/sms/__init__.py": "from appliance.sms.reader import read\n",
            "appliance/sms/reader.py": "from appliance.sms import errors\n",
            "appliance/sms/errors.py": "import appliance.sms\n",
        },
    )
    graph = collect_imports(tmp_path)
    assert cycles(graph) == []
    assert forbidden_edges(graph) == []


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("appliance.domain.payments", "appliance.settings", False),
        ("appliance.domain.payments", "appliance", False),
        ("appliance.settings", "appliance.domain.errors", True),
        ("appliance.sms.reader", "appliance.store.database", False),
        ("appliance.usecases.service", "appliance.sms.reader", True),
        ("appliance.box.doctor", "modem.ports", False),
        ("appliance.runtime", "modem.gateway", True),
        ("appliance.jobs", "appliance.cli.main", False),
        ("appliance.cli.serve_cmd", "appliance.runtime", True),
        ("web.app", "appliance", True),
        ("web.app", "appliance.runtime", False),
        ("modem.gateway", "appliance.domain.money", False),
        ("appliance", "appliance.settings", False),
    ],
)
def test_the_map(source: str, target: str, allowed: bool) -> None:
    assert (edge_problem(source, target) is None) is allowed
