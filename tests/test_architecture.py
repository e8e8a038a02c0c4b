"""The architecture, checked: what each part of ``mkba_mc`` may import.

Every module under ``src/mkba_mc`` is parsed with :mod:`ast` (nothing is
imported, so a module that fails to import still gets checked); every
``import`` and ``from ... import`` counts, including the ones inside
functions and under ``if TYPE_CHECKING:`` -- a newcomer reads them all as
dependencies.  One exception, :data:`TYPE_ONLY`: the engine (execution,
sensitivity) is handed a loaded ``Scenario`` and names its type in
annotations under ``if TYPE_CHECKING:``; it never imports ``io`` at run time. The rules are the ones written down in
``docs/architecture.md``; change both together.

Rules that the code on main does not follow yet are marked
``xfail(strict=True)`` in :data:`NOT_YET`: when the restructuring lands and a
rule holds, its test passes, pytest reports the strict xfail as a failure,
and the entry must be deleted from :data:`NOT_YET`.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PKG = SRC / "mkba_mc"
DOC = ROOT / "docs" / "architecture.md"
README = ROOT / "README.md"

#: The sub-packages, one job each (docs/architecture.md).
PACKAGES = ("model", "uncertainty", "execution", "sensitivity", "io", "report")
#: Top-level modules and the part each one is.
TOP_LEVEL = {"errors": "errors", "checks": "checks", "cli": "cli", "batch": "batch", "api": "api",
             "__main__": "main"}
ALL_PARTS = frozenset(PACKAGES) | frozenset(TOP_LEVEL.values())

#: What each part may import from mkba_mc (itself always included).
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "model": frozenset({"errors"}),
    "uncertainty": frozenset({"model", "errors"}),
    "execution": frozenset({"model", "uncertainty", "execution", "sensitivity", "errors", "checks"}),
    "sensitivity": frozenset({"model", "uncertainty", "execution", "sensitivity", "errors", "checks"}),
    "io": frozenset({"model", "uncertainty", "execution", "sensitivity", "errors", "checks"}),
    # checks.py imports io.loading and execution.montecarlo today; allowed for now.
    "checks": ALL_PARTS - {"report", "cli", "batch", "api", "main"},
    "report": ALL_PARTS - {"cli", "batch", "main", "execution"},
    "api": ALL_PARTS - {"cli", "batch", "main"},
    "batch": ALL_PARTS - {"cli", "main"},
    "cli": ALL_PARTS - {"main"},
    "main": frozenset({"cli"}),
}

#: Modules that may be longer than MAX_LINES, each with the reason given in
#: docs/architecture.md ("Long modules"). Empty for the target architecture.
LONG_MODULES: dict[str, str] = {
    "report/text.py": "the report's sentences: two parallel dictionaries (nl, en) that must stay side by side",
}
MAX_LINES = 400

#: Standard-library and numpy modules the pure model must not use: no I/O,
#: no randomness, no logging (STYLE.md, "one pure model module").
MODEL_FORBIDDEN_MODULES = ("random", "numpy.random", "logging", "pathlib", "os", "io", "shutil", "tempfile",
                           "glob", "subprocess", "sys", "h5py", "h5netcdf", "netCDF4", "tomllib", "json",
                           "pickle", "secrets", "multiprocessing", "concurrent", "threading", "ctypes")
MODEL_FORBIDDEN_CALLS = ("open", "print", "input", "breakpoint", "exec", "eval")

#: Optional or presentation-only packages that `import mkba_mc` and the
#: engine parts must not load (emcee: optional dependencies are imported only
#: where used).
HEAVY = ("matplotlib", "openpyxl", "dask", "distributed", "rich", "typer")
ENGINE_PARTS = ("model", "uncertainty", "execution", "sensitivity", "io")

#: Rules main does not follow yet (commit eb96fa1), each with what breaks it.
#: Delete an entry as soon as its test passes (strict xfail turns a pass red).
NOT_YET: dict[str, str] = {
}


def xfail_if_not_yet(rule: str) -> list[pytest.MarkDecorator]:
    """The strict xfail mark for ``rule`` while it is in :data:`NOT_YET`."""
    if rule in NOT_YET:
        return [pytest.mark.xfail(strict=True, reason=NOT_YET[rule])]
    return []


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Module:
    """One source file of the package."""

    name: str  # dotted, e.g. "mkba_mc.model.core"
    path: Path
    tree: ast.Module
    lines: int

    @property
    def rel(self) -> str:
        return self.path.relative_to(PKG).as_posix()

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Import:
    """One imported mkba_mc module (and the name taken from it, if any)."""

    importer: Module
    target: str  # dotted module
    name: str | None
    lineno: int

    def __str__(self) -> str:
        what = f"{self.target}:{self.name}" if self.name else self.target
        return f"{self.importer.rel}:{self.lineno} imports {what}"


@cache
def modules() -> tuple[Module, ...]:
    found = []
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        text = path.read_text(encoding="utf-8")
        found.append(Module(".".join(parts), path, ast.parse(text, filename=str(path)), len(text.splitlines())))
    return tuple(found)


@cache
def module_names() -> frozenset[str]:
    return frozenset(m.name for m in modules())


def part_of(dotted: str) -> str:
    """The part a dotted mkba_mc module belongs to (``"api"`` for the root)."""
    pieces = dotted.split(".")
    if len(pieces) == 1:
        return "api"
    head = pieces[1]
    if head in PACKAGES:
        return head
    return TOP_LEVEL.get(head, f"unknown ({head})")


def imports_of(module: Module) -> Iterator[Import]:
    """Every mkba_mc import in ``module``, wherever it is in the file."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "mkba_mc" or alias.name.startswith("mkba_mc."):
                    yield Import(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != "mkba_mc" and not source.startswith("mkba_mc."):
                continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in module_names():  # "from . import sets" imports a module
                    yield Import(module, sub, None, node.lineno)
                else:
                    yield Import(module, source, alias.name, node.lineno)


#: Imports allowed across the rules when they only name a type in annotations
#: (under ``if TYPE_CHECKING:``): the scenario object the engine is handed.
TYPE_ONLY: frozenset[tuple[str, str]] = frozenset({("mkba_mc.io.loading", "Scenario"),
                                                   ("mkba_mc.io.scenario", "Scenario")})


def type_only_lines(module: Module) -> frozenset[int]:
    """Line numbers of the imports inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for sub in node.body:
                for inner in ast.walk(sub):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)):
                        lines.add(inner.lineno)
    return frozenset(lines)


def external_imports_of(module: Module) -> Iterator[tuple[str, int]]:
    """Every non-mkba_mc module name imported by ``module`` (dotted, with line)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def modules_of(part: str) -> list[Module]:
    return [m for m in modules() if part_of(m.name) == part]


def show(problems: list[str]) -> str:
    return "\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- tests


def test_the_parser_sees_the_package() -> None:
    # A guard for the checks below: they are vacuous if nothing is found.
    names = module_names()
    assert "mkba_mc" in names and "mkba_mc.cli" in names
    assert all(modules_of(p) for p in PACKAGES), [p for p in PACKAGES if not modules_of(p)]
    assert any(i.target == "mkba_mc.model.sets" for m in modules_of("model") for i in imports_of(m))


def test_every_module_belongs_to_a_part() -> None:
    unknown = [m.rel for m in modules() if part_of(m.name) not in ALL_PARTS]
    assert not unknown, "add the module to a part or to the rules (docs/architecture.md):" + show(unknown)


@pytest.mark.parametrize("part", [pytest.param(p, marks=xfail_if_not_yet(f"imports[{p}]")) for p in ALLOWED])
def test_imports(part: str) -> None:
    allowed = ALLOWED[part] | {part}
    bad = [str(i) for m in modules_of(part) for i in imports_of(m) if part_of(i.target) not in allowed
           and not (i.lineno in type_only_lines(m) and (i.target, i.name) in TYPE_ONLY)]
    assert not bad, f"{part}/ may import only {sorted(allowed)}:" + show(bad)


def test_nothing_imports_the_cli() -> None:
    bad = [str(i) for m in modules() if part_of(m.name) not in ("main", "cli") for i in imports_of(m)
           if part_of(i.target) == "cli"]
    assert not bad, "the CLI is the outermost layer; call the public API instead:" + show(bad)


@pytest.mark.parametrize("_", [pytest.param(None, marks=xfail_if_not_yet("report_never_evaluates"))],
                         ids=["report"])
def test_report_never_evaluates_the_model(_: None) -> None:
    """The report reads results; it never re-runs the model (issue 11)."""
    bad = []
    for m in modules_of("report"):
        for i in imports_of(m):
            if i.name == "evaluate" or part_of(i.target) == "execution":
                bad.append(str(i))
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Call):
                f = node.func
                if (isinstance(f, ast.Name) and f.id == "evaluate") or (
                        isinstance(f, ast.Attribute) and f.attr == "evaluate"):
                    bad.append(f"{m.rel}:{node.lineno} calls {ast.unparse(f)}()")
    assert not bad, "let the engine write what the report needs:" + show(bad)


def impurities(module: Module) -> Iterator[str]:
    """I/O, randomness and logging in ``module``: imports, calls, ``np.random``."""
    for name, line in external_imports_of(module):
        if any(name == f or name.startswith(f + ".") for f in MODEL_FORBIDDEN_MODULES):
            yield f"{module.rel}:{line} imports {name}"
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MODEL_FORBIDDEN_CALLS:
            yield f"{module.rel}:{node.lineno} calls {node.func.id}()"
        if isinstance(node, ast.Attribute) and node.attr == "random" and \
                isinstance(node.value, ast.Name) and node.value.id in {"np", "numpy"}:
            yield f"{module.rel}:{node.lineno} uses {ast.unparse(node)}"


def test_model_is_pure() -> None:
    """No I/O, no randomness, no logging in model/ (STYLE.md; issue 11)."""
    bad = [p for m in modules_of("model") for p in impurities(m)]
    assert not bad, "the model is a pure function of arrays:" + show(bad)


def test_purity_check_catches_randomness_and_io() -> None:
    code = ("import numpy as np\nimport logging\nfrom pathlib import Path\n"
            "def f():\n    open('x')\n    return np.random.default_rng()\n")
    fake = Module("mkba_mc.model.fake", PKG / "model" / "fake.py", ast.parse(code), 6)
    found = " ".join(impurities(fake))
    for what in ("imports logging", "imports pathlib", "calls open()", "uses np.random"):
        assert what in found, (what, found)


@pytest.mark.parametrize("_", [pytest.param(None, marks=xfail_if_not_yet("module_size"))], ids=["400"])
def test_module_size(_: None) -> None:
    long = [f"{m.rel}: {m.lines} lines" for m in modules() if m.lines > MAX_LINES and m.rel not in LONG_MODULES]
    assert not long, f"split modules over {MAX_LINES} lines, or list them in LONG_MODULES and " \
                     "docs/architecture.md with the reason:" + show(long)


def test_exceptions_are_justified_in_the_docs() -> None:
    doc = DOC.read_text(encoding="utf-8")
    listed = list(LONG_MODULES) + [rel for rel, _ in STATE_ALLOWED]
    missing = [rel for rel in listed if f"`{rel}`" not in doc]
    missing += [name for _, name in STATE_ALLOWED if f"`{name}`" not in doc]
    stale = [rel for rel in listed if not (PKG / rel).exists()]
    assert not missing and not stale, {"not in docs/architecture.md": missing, "no such module": stale}


_MUTATORS = frozenset({"append", "extend", "insert", "pop", "popitem", "remove", "clear", "update",
                       "setdefault", "add", "discard"})


def _module_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names - {"__all__"}


def _locals_of(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = func.args
    found = {a.arg for a in args.args + args.posonlyargs + args.kwonlyargs}
    found |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
    return found


#: Module-level state that is per process by nature, with the reason
#: (docs/architecture.md, "Module state").
STATE_ALLOWED: dict[tuple[str, str], str] = {
    ("io/locks.py", "_HELD"): "the directory locks this process holds (flock is per process; hold_lock re-enters)",
    ("cli/app.py", "_state"): "the --debug switch and the locks of the one command this process runs",
}


def state_in_globals(module: Module) -> Iterator[str]:
    """``global`` statements, and module-level names mutated inside a function
    (except the ones in :data:`STATE_ALLOWED`)."""
    top = {n for n in _module_level_names(module.tree) if (module.rel, n) not in STATE_ALLOWED}
    yield from _state_writes(module, top)


def _state_writes(module: Module, top: set[str]) -> Iterator[str]:
    for func in ast.walk(module.tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        shadowed = _locals_of(func)
        for node in ast.walk(func):
            if isinstance(node, ast.Global):
                yield f"{module.rel}:{node.lineno} global {', '.join(node.names)}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name) and \
                    node.func.value.id in top and node.func.value.id not in shadowed:
                yield f"{module.rel}:{node.lineno} {node.func.value.id}.{node.func.attr}() in {func.name}"
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and \
                            t.value.id in top and t.value.id not in shadowed:
                        yield f"{module.rel}:{node.lineno} {t.value.id}[...] written in {func.name}"


@pytest.mark.parametrize("_", [pytest.param(None, marks=xfail_if_not_yet("no_execution_state_in_globals"))],
                         ids=["globals"])
def test_no_execution_state_in_module_globals(_: None) -> None:
    """Evaluators own their worker state (emcee's ``pool``; issue 11)."""
    bad = [p for m in modules() for p in state_in_globals(m)]
    assert not bad, "keep state in an object that is passed in:" + show(bad)


def test_state_check_catches_a_job_global() -> None:
    code = "_JOB = {}\ndef start(x):\n    _JOB.clear()\n    _JOB['x'] = x\ndef ok(_JOB):\n    _JOB.clear()\n"
    fake = Module("mkba_mc.execution.fake", PKG / "execution" / "fake.py", ast.parse(code), 6)
    found = list(state_in_globals(fake))
    assert len(found) == 2 and all("start" in f for f in found), found


@pytest.mark.parametrize("_", [pytest.param(None, marks=xfail_if_not_yet("import_has_no_side_effects"))],
                         ids=["side-effects"])
def test_import_has_no_side_effects(_: None) -> None:
    """Importing a module defines names; it calls nothing at top level."""
    bad = []
    for m in modules():
        if part_of(m.name) == "main":
            continue
        for node in m.tree.body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                f = node.value.func
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "__all__":
                    continue
                bad.append(f"{m.rel}:{node.lineno} {ast.unparse(node)[:60]}")
    assert not bad, "do it when it is needed (e.g. when an evaluator starts):" + show(bad)


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted({{m.partition('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(out.stdout.split())
    return [h for h in HEAVY if h in loaded]


def test_top_level_import_is_light() -> None:
    assert _loaded_after("import mkba_mc") == []


@pytest.mark.parametrize("_", [pytest.param(None, marks=xfail_if_not_yet("engine_imports_are_light"))],
                         ids=["engine"])
def test_engine_imports_are_light(_: None) -> None:
    engine = [m.name for m in modules() if part_of(m.name) in ENGINE_PARTS]
    assert engine
    assert _loaded_after("\n".join(f"import {name}" for name in engine)) == []


PUBLIC_API = ("load_scenario", "evaluate", "run_monte_carlo", "sobol", "morris", "tornado", "breakeven",
              "build_report")


@pytest.mark.parametrize("_", [pytest.param(None, marks=xfail_if_not_yet("public_api"))], ids=["api"])
def test_public_api(_: None) -> None:
    import mkba_mc

    missing = [n for n in PUBLIC_API if n not in getattr(mkba_mc, "__all__", ()) or not callable(
        getattr(mkba_mc, n, None))]
    assert not missing, f"mkba_mc does not export {missing}"


def test_docs_name_every_part() -> None:
    doc = DOC.read_text(encoding="utf-8")
    layout = README.read_text(encoding="utf-8").partition("\n## Layout\n")[2].partition("\n## ")[0]
    for text, where in ((doc, "docs/architecture.md"), (layout, "README ## Layout")):
        missing = [p for p in PACKAGES if not re.search(rf"[`/]{p}/`", text)]
        assert not missing, f"{where} does not describe {missing}"
    for part, allowed in ALLOWED.items():
        if part in PACKAGES:  # every package's rule is written down
            assert re.search(rf"^\| `{part}/` \|", doc, re.MULTILINE), f"no import rule for {part}/ in {DOC.name}"


def test_docs_state_the_same_import_rules() -> None:
    """The table in docs/architecture.md and :data:`ALLOWED` say the same for every package."""
    doc = DOC.read_text(encoding="utf-8")
    for part in PACKAGES:
        row = re.search(rf"^\| `{part}/` \|[^|]*\|([^|]*)\|", doc, re.MULTILINE)
        assert row, part
        cell = row.group(1).strip()
        named = {n.rstrip("/") for n in re.findall(r"`([^`]+)`", cell)}
        stated = ALL_PARTS - named if cell.startswith("anything but") else named
        assert (stated | {part}) - {"main"} == (ALLOWED[part] | {part}) - {"main"}, (part, cell)
