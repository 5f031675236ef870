"""The layout's rules (ARCHITECTURE.md), read from the source: no import loop, imports only in the
direction crawler -> archive <- search_ui (govplans on top; sitefarm, evaluation, bench and tests
beside), one door to SQL, one package per search engine, and helpers written once."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "crawler", "search_ui", "govplans", "sitefarm", "evaluation", "bench", "fuzz", "tests")
PRODUCT = ("archive", "crawler", "search_ui", "govplans")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module `name` imports, anywhere in the file (function-level imports included)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)   # `from pkg import module`
    return found


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _local(target: str) -> str | None:
    """The project module an import names (the longest known prefix), or None for a library."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for name, targets in IMPORTS.items():
        for target in targets:
            local = _local(target)
            if local and local != name and not name.startswith(local + "."):   # a package's own __init__
                graph[name].add(local)
    return graph


def _top(name: str) -> str:
    return name.split(".")[0]


def test_there_is_no_import_loop():
    graph, loops = _graph(), []
    index, low, stack, on_stack, counter = {}, {}, [], set(), [0]

    def visit(node):   # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    assert loops == []


# what each room may import, of the project's rooms and of the frameworks
FORBIDDEN = {
    "archive": ("crawler", "search_ui", "govplans", "sitefarm", "evaluation", "bench", "tests", "scrapy", "flask"),
    "crawler": ("search_ui", "govplans", "sitefarm", "evaluation", "bench", "tests", "flask"),
    "search_ui": ("crawler", "govplans", "sitefarm", "evaluation", "bench", "tests", "scrapy"),
    "govplans": ("bench", "tests"),
    "sitefarm": ("crawler", "search_ui", "govplans", "evaluation", "bench", "tests"),
    "evaluation": ("bench", "tests"),
    "bench": ("tests",),
}


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_imports_run_one_way(room):
    wrong = sorted((name, target) for name, targets in IMPORTS.items() if _top(name) == room
                   for target in targets if _top(target) in FORBIDDEN[room])
    assert wrong == []


def _importers(pattern: str, within=PRODUCT) -> set[str]:
    rule = re.compile(pattern)
    return {name for name, targets in IMPORTS.items() if _top(name) in within
            for target in targets if rule.fullmatch(target)}


def test_only_the_store_and_the_read_layer_import_the_tables():
    outside = {name for name in _importers(r"archive\.models(\..*)?")
               if not name.startswith(("archive.store", "archive.read", "archive.models"))}
    assert outside == set()


def test_each_search_engine_is_imported_by_its_own_package_only():
    assert {n for n in _importers(r"whoosh(\..*)?") if not n.startswith("archive.index.whoosh")} == set()
    assert {n for n in _importers(r"psycopg(\..*)?") if not n.startswith("archive.index.postgres")} == set()


def test_the_warc_middleware_runs_no_sql_of_its_own():
    assert not any(re.match(r"(sqlalchemy|archive\.models)", target)
                   for target in IMPORTS["crawler.middlewares.warc"])


@pytest.mark.parametrize("definition", [r"^def utcnow\(", r"^def free_port\(", r"^data_option = ",
                                        r"^def code_level\(", r"^def province_of\("])
def test_a_helper_is_written_once(definition):
    rule = re.compile(definition, re.M)
    assert len([name for name, path in MODULES.items() if rule.search(path.read_text(encoding="utf-8"))]) == 1
