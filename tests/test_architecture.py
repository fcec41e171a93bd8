"""The dependency direction of DESIGN.md §1, checked by parsing every import with ast."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("events", "projections", "service", "workers")
STDLIB = frozenset(sys.stdlib_module_names)
WEB = frozenset({"flask", "flask_smorest", "flask_babel", "marshmallow", "werkzeug", "webargs",
                 "apispec"})
# The layers of service/, by role (docs/architecture.md draws them):
DOMAIN, APPLICATION = "service.domain", "service.application"
ADAPTERS, DATA = "service.adapters", "service.data"
WORKER_MAY_USE = (DOMAIN, APPLICATION, "service.bootstrap", "service.config",
                  "service.adapters.dispatch", "service.adapters.database",
                  "service.data.exporting")  # scheduled exports are built by a worker


@dataclass(frozen=True)
class Import:
    """One imported name, fully resolved (``from a.b import c`` gives ``a.b.c``)."""

    module: str  # the importing module
    line: int
    name: str


def under(name: str, prefix: str) -> bool:
    """True if the dotted name is the prefix itself or lies inside it."""
    return name == prefix or name.startswith(prefix + ".")


def imports_in(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import in the source, including those inside functions and TYPE_CHECKING blocks."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, package)
            found += [Import(module, node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    anchor = ".".join(parts[: len(parts) - node.level + 1])
    return f"{anchor}.{node.module}" if node.module else anchor


def project_imports(root: Path = ROOT) -> list[Import]:
    """Every import in every module of our four packages.

    Parsed in a child process: CPython 3.11's AST builder checks a recursion count that can
    be skewed in a long-running test process (a RecursionError from 200,000-deep JSON, or
    the recursion limit changed meanwhile), making ast.parse raise SystemError there.
    """
    return list(_parsed(str(root)))


@cache
def _parsed(root: str) -> tuple[Import, ...]:
    script = ("import json, sys; from pathlib import Path; "
              "from tests.test_architecture import _parse_all; "
              "print(json.dumps([vars(i) for i in _parse_all(Path(sys.argv[1]))]))")
    out = subprocess.run([sys.executable, "-c", script, root], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return tuple(Import(**item) for item in json.loads(out))


def _parse_all(root: Path) -> list[Import]:
    found: list[Import] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            module = ".".join(parts[:-1] if is_package else parts)
            found += imports_in(path.read_text(encoding="utf-8"), module, is_package)
    return found


@dataclass(frozen=True)
class Rule:
    """Modules under ``scope`` (or, with ``outside``, not under it) must not import ``forbids``."""

    scope: str
    forbids: Callable[[str], bool]
    outside: bool = False

    def governs(self, module: str) -> bool:
        return under(module, self.scope) != self.outside


def violations(rule: Rule, found: Iterable[Import]) -> list[str]:
    """Readable lines for every import that breaks the rule."""
    return [f"{i.module}:{i.line} imports {i.name}" for i in found
            if rule.governs(i.module) and rule.forbids(i.name)]


def _top(name: str) -> str:
    return name.split(".")[0]


EVENTS = Rule("events", lambda n: _top(n) not in STDLIB | {"sqlalchemy", "cryptography", "events"})
# Pure text libraries (no I/O, no framework) that search normalisation needs on both the
# index and the query side: pinyin and traditional/simplified conversion.
TEXT_FOLDING = {"pypinyin", "opencc_purepy"}
# Pure numerics (no I/O): the nightly item-kNN fold of the co-borrowing counts.
NUMERICS = {"numpy", "scipy"}
PROJECTIONS = Rule("projections", lambda n: _top(n) not in STDLIB | TEXT_FOLDING | NUMERICS
                   | {"sqlalchemy", "events", "projections"})
# The domain is pure: no web framework, no Celery, no SQL, no Redis, and nothing above it.
DOMAIN_RULE = Rule(DOMAIN, lambda n: _top(n) in WEB | {"celery", "sqlalchemy", "redis"}
                   or under(n, APPLICATION) or under(n, ADAPTERS) or under(n, DATA)
                   or under(n, "service.cli") or under(n, "service.bootstrap"))
# The application layer runs commands through ports: no web framework, no Celery, no adapter
# (the database schema and dispatch ports excepted: the unit of work and the after-commit hook
# are handed in by the composition root), nothing of the data tools or the CLI.
APPLICATION_RULE = Rule(APPLICATION, lambda n: _top(n) in WEB | {"celery"}
                        or (under(n, ADAPTERS) and not under(n, "service.adapters.database"))
                        or under(n, DATA) or under(n, "service.cli"))
WORKERS = Rule("workers", lambda n: _top(n) in WEB
               or (under(n, "service") and not any(under(n, p) for p in WORKER_MAY_USE)))
WORKER_ENTRY = Rule("workers", lambda n: under(n, "workers.main"), outside=True)


def test_the_checker_sees_the_project_modules() -> None:
    found = project_imports()
    modules = {i.module for i in found}
    assert {"events.store", "projections.runner", "service.bootstrap", "workers.celery_app"} <= modules


def test_the_checker_catches_forbidden_imports_at_module_level_and_inside_functions() -> None:
    source = (
        "from __future__ import annotations\n"
        "import sqlalchemy\n"
        "import flask\n"
        "from projections import runner\n"
        "def later():\n"
        "    from celery import shared_task\n"
    )
    found = imports_in(source, "events.fake")
    assert violations(EVENTS, found) == [
        "events.fake:3 imports flask",
        "events.fake:4 imports projections.runner",
        "events.fake:6 imports celery.shared_task",
    ]


def test_the_checker_tells_the_flask_free_parts_of_service_from_the_rest_in_workers() -> None:
    source = (
        "from service.domain.errors import DomainError\n"
        "from service import config\n"
        "from service import create_app\n"
        "import service.adapters.api.readers\n"
        "from .runtime import get_lector\n"
    )
    assert violations(WORKERS, imports_in(source, "workers.tasks")) == [
        "workers.tasks:3 imports service.create_app",
        "workers.tasks:4 imports service.adapters.api.readers",
    ]


def test_the_checker_resolves_relative_imports_against_the_importing_package() -> None:
    found = imports_in("from ...adapters.api import readers\nfrom . import rules\n",
                       "service.domain.circulation.loans")
    assert [i.name for i in found] == ["service.adapters.api.readers",
                                       "service.domain.circulation.rules"]
    assert violations(DOMAIN_RULE, found) == [
        "service.domain.circulation.loans:1 imports service.adapters.api.readers"]
    in_init = imports_in("from .errors import DomainError\n", "service.domain", is_package=True)
    assert [i.name for i in in_init] == ["service.domain.errors.DomainError"]


def test_the_checker_ignores_modules_outside_a_rules_scope() -> None:
    found = imports_in("import flask\n", "service.adapters.api.readers")
    assert violations(DOMAIN_RULE, found) == violations(APPLICATION_RULE, found) == []
    assert violations(WORKER_ENTRY, imports_in("import workers.main\n", "workers.beat")) == []
    assert violations(WORKER_ENTRY, imports_in("import workers.main\n", "service.cli")) == [
        "service.cli:1 imports workers.main"]


def test_events_import_only_the_standard_library_sqlalchemy_and_cryptography() -> None:
    assert violations(EVENTS, project_imports()) == []


def test_projections_import_only_events_the_standard_library_and_sqlalchemy() -> None:
    assert violations(PROJECTIONS, project_imports()) == []


def test_the_domain_imports_no_framework_no_sql_and_nothing_above_it() -> None:
    assert violations(DOMAIN_RULE, project_imports()) == []


def test_the_application_imports_no_web_framework_no_celery_and_no_adapter() -> None:
    assert violations(APPLICATION_RULE, project_imports()) == []


def test_service_is_laid_out_by_role() -> None:
    """The tree is the architecture: entry points, composition, and four role packages."""
    service = ROOT / "service"
    packages = sorted(p.name for p in service.iterdir() if (p / "__init__.py").exists())
    modules = sorted(p.name for p in service.glob("*.py"))
    assert packages == ["adapters", "application", "cli", "data", "domain", "migrations"]
    assert modules == ["__init__.py", "bootstrap.py", "config.py", "gunicorn_conf.py", "wsgi.py"]


def test_workers_import_no_web_framework_and_only_the_flask_free_parts_of_service() -> None:
    assert violations(WORKERS, project_imports()) == []


def test_nothing_outside_workers_imports_the_worker_entry_module() -> None:
    assert violations(WORKER_ENTRY, project_imports()) == []


# --- package cycles ---------------------------------------------------------------------------

# The packages whose imports must form no cycle; a module belongs to the longest that holds it.
# Anything else of ours (service.bootstrap, service.adapters.app, ...) is a group of its own.
GROUPS = ("events", "projections", "workers", "workers.notices", DOMAIN, APPLICATION,
          "service.adapters.api", "service.adapters.sip2", "service.adapters.web",
          "service.data.importing", "service.data.exporting", "service.data.demo", "service.cli")
NO_WORKERS = [Rule(layer, lambda n: _top(n) == "workers") for layer in (DOMAIN, APPLICATION)]


def group_of(name: str, modules: frozenset[str]) -> str | None:
    """The group of an imported name (``a.b.C`` is module ``a.b``), None if not ours."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    if not name:
        return None
    held = [g for g in GROUPS if under(name, g)]
    if held:
        return max(held, key=len)
    return name  # a module in no group is a group of its own


def group_graph(found: Iterable[Import]) -> dict[str, set[str]]:
    """Which group imports which other group."""
    found = list(found)
    modules = frozenset(i.module for i in found)
    graph: dict[str, set[str]] = {}
    for i in found:
        source, target = group_of(i.module, modules), group_of(i.name, modules)
        if source is None or target is None or source == target:
            continue
        graph.setdefault(source, set()).add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every elementary cycle once, as ``a -> b -> a`` starting at its smallest group."""
    found: set[tuple[str, ...]] = set()

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                found.add(tuple(path))
            elif nxt > start and nxt not in path:  # each cycle is walked from its smallest group
                walk(start, nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return sorted(" -> ".join([*c, c[0]]) for c in found)


def test_the_cycle_checker_names_a_cycle_between_packages_and_ignores_imports_inside_one() -> None:
    found = (imports_in("from workers.notices.sending import deliver\n",
                        "service.application.notices")
             + imports_in("from service.application.notices import record\n",
                          "workers.notices.sending")
             + imports_in("from service.application import errors\n",
                          "service.application.notices")
             + imports_in("from service.application.errors import X\n",
                          "service.adapters.api.readers")
             + imports_in("import events.store\n", "service.application.errors"))
    found += [Import("events.store", 1, "sqlalchemy")]
    graph = group_graph(found)
    assert graph == {APPLICATION: {"workers.notices", "events"},
                     "workers.notices": {APPLICATION}, "service.adapters.api": {APPLICATION}}
    assert cycles(graph) == [f"{APPLICATION} -> workers.notices -> {APPLICATION}"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a", "b"}}) == ["a -> b -> c -> a", "b -> c -> b"]


def test_neither_domain_nor_application_imports_the_workers() -> None:
    assert [v for rule in NO_WORKERS for v in violations(rule, project_imports())] == []


def test_no_import_cycle_between_the_packages() -> None:
    assert cycles(group_graph(project_imports())) == []
