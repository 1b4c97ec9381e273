"""Notebooks stay thin: every computation, measure formula, data cleaning and sentence lives
in csc_workbench; a notebook's code cells only import it, call it and display what it
returns (lint-as-a-test over every .ipynb under notebooks/).

Allowed, and nothing else:
* imports from csc_workbench (and IPython.display);
* the parameters cell's simple assignments (name = constant);
* ``name = <call>`` where the call is a csc_workbench function (a name imported from it, or
  an attribute of a module imported from it) and its arguments are names or constants;
* such a call, or ``display(...)`` of such calls (``*`` allowed), as a statement;
* ``if audience == "internal":`` (a parameter compared with a constant) around allowed
  statements, for the internal-only cells.
Refused, among everything else: arithmetic, subscripts (``df[...]``, ``df[...] = ``),
method calls on data (``.groupby(``, ``.merge(``, ``.query(``, ``.loc``), loops,
comprehensions, lambdas, function definitions and shell or magic commands.
"""

import ast
from pathlib import Path

import nbformat
import pytest

import pandas as pd

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
# A method of a value the library returned (``page.intro()`` on a deep-dive page object) is
# a library call, unless it is something a DataFrame or Series can do: that is computation.
DATA_METHODS = {n for n in dir(pd.DataFrame) + dir(pd.Series) if not n.startswith("_")}
LIBRARY = "csc_workbench"
DISPLAY = {"display"}


class ThinChecker:
    """Checks the code cells of one notebook; ``problems`` lists what it refused."""

    def __init__(self):
        self.library_names: set[str] = set()  # names bound to csc_workbench modules or functions
        self.variables: set[str] = set()  # parameters and results of library calls
        self.problems: list[str] = []

    # -- statements -------------------------------------------------------------------
    def check_cell(self, source: str, where: str, parameters: bool = False) -> None:
        lines = source.splitlines()
        if any(line.lstrip().startswith(("%", "!")) for line in lines):
            self.problems.append(f"{where}: shell or magic command")
            return
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            self.problems.append(f"{where}: does not parse ({exc.msg})")
            return
        for stmt in tree.body:
            self.statement(stmt, where, parameters)

    def statement(self, stmt: ast.stmt, where: str, parameters: bool) -> None:
        at = f"{where}, line {getattr(stmt, 'lineno', '?')}"
        if isinstance(stmt, ast.ImportFrom):
            module = stmt.module or ""
            if module.split(".")[0] == LIBRARY:
                self.library_names.update(a.asname or a.name for a in stmt.names)
            elif module == "IPython.display" and all(a.name == "display" for a in stmt.names):
                pass
            else:
                self.problems.append(f"{at}: imports from {module!r}: a notebook imports only csc_workbench")
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name.split(".")[0] != LIBRARY:
                    self.problems.append(f"{at}: imports {alias.name!r}: a notebook imports only csc_workbench")
                else:
                    self.library_names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                self.problems.append(f"{at}: assigns to {ast.unparse(stmt.targets[0])!r}: only plain names may be "
                                     f"assigned (no df[...] = or attribute)")
                return
            name = stmt.targets[0].id
            if parameters and isinstance(stmt.value, ast.Constant):
                self.variables.add(name)
            elif parameters and isinstance(stmt.value, ast.List | ast.Tuple) and \
                    all(isinstance(e, ast.Constant) for e in stmt.value.elts):
                self.variables.add(name)
            elif self.library_call(stmt.value, at):
                self.variables.add(name)
            else:
                self.problems.append(f"{at}: {ast.unparse(stmt)!r}: a value must come from a csc_workbench call")
        elif isinstance(stmt, ast.Expr):
            call = stmt.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in DISPLAY:
                if call.keywords:
                    self.problems.append(f"{at}: display() with keywords")
                for arg in call.args:
                    inner = arg.value if isinstance(arg, ast.Starred) else arg
                    if not (self.library_call(inner, at, report=False) or self.is_variable(inner)):
                        self.problems.append(f"{at}: displays {ast.unparse(arg)!r}: display only what csc_workbench "
                                             f"returns")
            elif not (self.library_call(call, at, report=False) or self.is_variable(call)):
                self.problems.append(f"{at}: {ast.unparse(stmt)!r} is not a csc_workbench call")
        elif isinstance(stmt, ast.If):
            t = stmt.test
            simple = (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id in self.variables
                      and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq | ast.NotEq)
                      and isinstance(t.comparators[0], ast.Constant))
            if not simple:
                self.problems.append(f"{at}: if {ast.unparse(t)!r}: only a parameter compared with a constant")
            for s in stmt.body + stmt.orelse:
                self.statement(s, where, parameters=False)
        else:
            self.problems.append(f"{at}: {type(stmt).__name__} ({ast.unparse(stmt)[:60]!r}) is not allowed in a "
                                 f"notebook: put it in csc_workbench")

    # -- expressions ------------------------------------------------------------------
    def is_variable(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.variables

    def library_function(self, func: ast.expr) -> bool:
        """``build_monthly_pack`` (imported from csc_workbench), ``sections.area`` (an
        attribute of a module imported from it), or ``page.intro`` (a method of a value a
        library call returned, when it is not a DataFrame or Series method)."""
        if isinstance(func, ast.Name):
            return func.id in self.library_names
        if isinstance(func, ast.Attribute) and self.is_variable(func.value):
            return func.attr not in DATA_METHODS
        if isinstance(func, ast.Attribute):
            base = func.value
            while isinstance(base, ast.Attribute):
                base = base.value
            return isinstance(base, ast.Name) and base.id in self.library_names
        return False

    def library_call(self, node: ast.expr, at: str, report: bool = True) -> bool:
        if not isinstance(node, ast.Call) or not self.library_function(node.func):
            if report and isinstance(node, ast.Call):
                self.problems.append(f"{at}: calls {ast.unparse(node.func)!r}, which is not a csc_workbench function")
            return False
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if not (isinstance(arg, ast.Constant) or self.is_variable(arg)):
                self.problems.append(f"{at}: argument {ast.unparse(arg)!r}: pass names or constants only")
        return True


def check_notebook(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    checker = ThinChecker()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        checker.check_cell(cell.source, f"{path.name} cell {i}", parameters="parameters" in tags)
    return checker.problems


def check_source(*cells: str, parameters: str = 'authority = "Z001"\naudience = "shared"') -> list[str]:
    checker = ThinChecker()
    checker.check_cell(parameters, "parameters", parameters=True)
    for i, src in enumerate(cells):
        checker.check_cell(src, f"cell {i}")
    return checker.problems


NOTEBOOK_FILES = sorted(NOTEBOOKS.rglob("*.ipynb"))


def test_there_are_notebooks_to_check():
    assert any(p.name == "monthly_pack.ipynb" for p in NOTEBOOK_FILES)


@pytest.mark.parametrize("path", [p for p in NOTEBOOK_FILES if ".ipynb_checkpoints" not in p.parts],
                         ids=lambda p: p.name)
def test_notebook_is_thin(path):
    problems = check_notebook(path)
    assert not problems, "\n".join(problems)


# The checker itself: what it lets through and what it refuses (so it can fail).
GOOD = (
    "from csc_workbench.packs.monthly import build_monthly_pack\nfrom csc_workbench.presentation import sections",
    "pack = build_monthly_pack(authority, audience)",
    "display(sections.summary(pack))",
    'display(*sections.area(pack, "front_door"))',
    'if audience == "internal":\n    display(sections.data_quality(pack))',
    "sections.scorecard(pack)",
    "page = sections.deep_dive(pack)\ndisplay(page.intro())\npage.team_chart()",
)


def test_the_checker_accepts_a_thin_notebook():
    assert check_source(*GOOD) == []


@pytest.mark.parametrize("bad", [
    "import pandas as pd",
    "table = pack.scorecard.groupby('area').size()",
    "merged = pd.merge(a, b)",
    "x = pack.scorecard.query('rag == \"red\"')",
    "pack.scorecard['extra'] = 1",
    "total = pack.scorecard['value'] + 1",
    "rate = numerator / denominator * 10000",
    "rows = pack.scorecard.loc[pack.scorecard['rag'] == 'red']",
    "display(pack.scorecard[pack.scorecard.status == 'ok'])",
    "for area in areas:\n    display(sections.area(pack, area))",
    "names = [r for r in rows]",
    "f = lambda x: x * 2",
    "def helper(x):\n    return x",
    "pack.scorecard.dropna(inplace=True)",
    "display(sections.area(pack, area.strip()))",
    "%time x = 1",
    "if pack.scorecard.empty:\n    display(sections.summary(pack))",
    "cleaned = pack.scorecard.fillna(0)",
    "table = pack.groupby('area')",
    "display(pack.sort_values('value'))",
    "pack.pipe(print)",
], ids=lambda s: s.splitlines()[0][:40])
def test_the_checker_refuses_computation_in_a_notebook(bad):
    problems = check_source(GOOD[0], GOOD[1], bad)
    assert problems, f"not refused: {bad!r}"
