"""Write the deep-dive notebooks (notebooks/deep_dive_repeat_cp.ipynb,
deep_dive_assessment_timeliness.ipynb, regional_comparison.ipynb) from the cell lists
below, so that their text and tags are reviewed as code. Run from the repository root:

    PYTHONPATH=lib python tools/make_deep_dive_notebooks.py

The notebooks are thin: every cell calls the library (``presentation.deep_dives``,
``presentation.regional``) and shows what it returns. Child- and worker-level cells are
tagged ``internal-only`` and run only when ``audience == "internal"``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
INTERNAL = {"tags": ["internal-only"]}
REMOVE = {"tags": ["remove-cell"]}
PARAMS = {"tags": ["parameters"]}


def md(text: str, internal: bool = False):
    return new_markdown_cell(text.strip(), metadata=dict(INTERNAL) if internal else {})


def code(text: str, internal: bool = False):
    return new_code_cell(text.strip(), metadata=dict(INTERNAL) if internal else {})


def internal_code(expr: str):
    """A cell that shows ``expr`` only on an internal page (and produces no output otherwise)."""
    return new_code_cell(f'if audience == "internal":\n    display({expr})', metadata=dict(INTERNAL))


def parameters(extra: str = "", authority: str = "Z001"):
    return new_code_cell(
        f'authority = "{authority}"\nmonth = "2025-06"\naudience = "shared"\n'
        f"# warehouse: a DuckDB file; empty for data/warehouse.duckdb or $CSCW_WAREHOUSE\n"
        f'warehouse = ""{extra}', metadata=dict(PARAMS))


def notebook(cells, title: str, caption: str):
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "csc": {"title": title, "caption": caption},
    })


REPEAT_CP = [
    parameters(),
    new_code_cell(
        "from csc_workbench.presentation.charts import setup_altair\n"
        "from csc_workbench.presentation.deep_dives import RepeatCPDeepDive\n\n"
        "setup_altair()\n"
        "page = RepeatCPDeepDive.load(warehouse, authority, month, audience)", metadata=dict(REMOVE)),
    md("## What this deep dive is for"),
    code("page.intro()"),
    md("## Summary"),
    code("page.headline()"),
    code("page.key_figures()"),
    md("""
## Trend

The rolling 12-month rates smooth out the month-to-month swings that a handful of children
(often one family) cause; the monthly bars show when the repeat plans started.
"""),
    code("page.trend_chart()"),
    code("page.monthly_chart()"),
    md("""
## Time since the previous plan

Children returning within months of a plan ending suggest plans closed before the risk
had reduced, or step-down support that did not hold; children returning after years more
often meet new risks (a new partner, a new baby).
"""),
    code("page.gap_chart()"),
    md("""
## Category of abuse

Whether children come back for the same reason as before (the risk never went away) or a
different one.
"""),
    code("page.category_table()"),
    md("## Siblings starting together"),
    code("page.sibling_summary()"),
    internal_code("page.sibling_table()"),
    md("## By team"),
    code("page.team_chart()"),
    code("page.team_table()"),
    md("""
## By worker (internal only)

For supervision and case discussion, not for comparing practitioners: the number of
repeat plans a worker holds depends on the families allocated.
""", internal=True),
    internal_code("page.worker_table()"),
    md("""
## The children (internal only)

Every child who started a repeat plan in the 12 months, with the previous plan's dates
and category, for case audit.
""", internal=True),
    internal_code("page.cohort_list()"),
]

TIMELINESS = [
    parameters(),
    new_code_cell(
        "from csc_workbench.presentation.charts import setup_altair\n"
        "from csc_workbench.presentation.deep_dives import AssessmentTimelinessDeepDive\n\n"
        "setup_altair()\n"
        "page = AssessmentTimelinessDeepDive.load(warehouse, authority, month, audience)", metadata=dict(REMOVE)),
    md("## What this deep dive is for"),
    code("page.intro()"),
    md("## Summary"),
    code("page.headline()"),
    code("page.bands_table()"),
    md("""
## How long assessments take

The distribution shows what the 45-day percentage cannot: whether assessments are spread
across the weeks a child's needs require, or bunched just before the deadline.
"""),
    code("page.distribution_chart()"),
    code("page.bands_trend_chart()"),
    md("## By team"),
    code("page.team_chart()"),
    code("page.team_table()"),
    md("""
## By worker (internal only)

For supervision: workers completing at least five assessments, the lowest share within
45 working days first.
""", internal=True),
    internal_code("page.worker_table()"),
    md("""
## Through the year

Summer holidays, Christmas and the start of the school year shape both referrals and the
time assessments take. A dip that comes every August needs planning, not alarm.
"""),
    code("page.seasonality_chart()"),
    md("""
## Open assessments at risk

Assessments still open at the month end, with the working days they have run. From 35
working days an assessment is at risk of passing 45; past 45 it is overdue.
"""),
    code("page.open_table()"),
    code("page.open_chart()"),
    md("""
### The assessments to chase (internal only)

Each open assessment at risk or overdue, with its due date (45 working days after the
start) and the working days left, most urgent first.
""", internal=True),
    internal_code("page.open_list()"),
    md("""
## From referral to assessment start

How many working days pass between a referral and the start of its assessment: a slow
start uses up the 45 days before the work begins when the clock runs from the referral.
"""),
    code("page.referral_chart()"),
    code("page.referral_team_table()"),
]

REGIONAL = [
    new_code_cell(
        "# Run-scoped: one page per run. authorities: the run's (empty: every authority in the warehouse).\n"
        'authority = ""\nauthorities = []\nmonth = "2025-06"\naudience = "shared"\n'
        "# warehouse: a DuckDB file; empty for data/warehouse.duckdb or $CSCW_WAREHOUSE\n"
        'warehouse = ""', metadata=dict(PARAMS)),
    new_code_cell(
        "from csc_workbench.presentation.charts import setup_altair\n"
        "from csc_workbench.presentation.regional import RegionalComparisonPage\n\n"
        "setup_altair()\n"
        "page = RegionalComparisonPage.load(warehouse, authorities, month, audience)", metadata=dict(REMOVE)),
    md("## What this comparison is for"),
    code("page.intro()"),
    md("## Summary"),
    code("page.headline()"),
    md("## Latest values"),
    code("page.table()"),
    md("## Front door"),
    code('page.area_charts("front_door")'),
    md("## Assessment"),
    code('page.area_charts("assessment")'),
    md("## Section 47 and child protection"),
    code('page.area_charts("child_protection")'),
    md("## Children in need"),
    code('page.area_charts("children_in_need")'),
    md("## Children looked after"),
    code('page.area_charts("looked_after")'),
    md("## Care leavers"),
    code('page.area_charts("care_leavers")'),
]

NOTEBOOKS = {
    "deep_dive_repeat_cp": notebook(REPEAT_CP, "Repeat child protection plans: {authority}, {month_label}",
                                    "Deep dive"),
    "deep_dive_assessment_timeliness": notebook(TIMELINESS, "Assessment timeliness: {authority}, {month_label}",
                                                "Deep dive"),
    "regional_comparison": notebook(REGIONAL, "Regional comparison: {month_label}",
                                    "Children's social care performance"),
}


def main(out_dir: Path = ROOT / "notebooks") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, nb in NOTEBOOKS.items():
        path = out_dir / f"{name}.ipynb"
        for i, cell in enumerate(nb.cells):  # stable ids: regenerating changes nothing
            cell["id"] = f"cell-{i:02d}"
        nbformat.validate(nb)
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "notebooks"):
        print(p)
