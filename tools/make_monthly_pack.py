"""Regenerate notebooks/monthly_pack.ipynb (run from the repository root):

    PYTHONPATH=lib python tools/make_monthly_pack.py

The notebook is thin on purpose (tests/test_notebooks_thin.py checks it): every figure,
sentence and table comes from csc_workbench; the notebook only calls it and displays what
it returns. Edit this script, not the notebook, so the notebook stays reviewable.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from csc_workbench.measures.catalogue import AREA_TITLES, AREAS

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "monthly_pack.ipynb"
INTERNAL = {"tags": ["internal-only"]}

cells = [
    new_code_cell('authority = "Z001"\nmonth = "2025-09"\naudience = "shared"\nwarehouse = ""\noutput_dir = ""',
                  metadata={"tags": ["parameters"]}),
    new_code_cell(
        "from csc_workbench.packs.monthly import build_monthly_pack, write_scorecard\n"
        "from csc_workbench.presentation import sections\n"
        "from csc_workbench.presentation.charts import setup_altair\n\n"
        "setup_altair()\n"
        "pack = build_monthly_pack(authority, month, audience, warehouse)\n"
        "workbook = write_scorecard(pack, output_dir)",
        metadata={"tags": ["remove-cell"]}),
    new_markdown_cell("## Summary"),
    new_code_cell("display(sections.summary(pack))"),
    new_code_cell("display(sections.commentary(pack))"),
    new_markdown_cell("## Scorecard"),
    new_code_cell("display(sections.scorecard(pack, workbook))"),
]
for area in AREAS:
    cells.append(new_markdown_cell(f"## {AREA_TITLES[area]}"))
    cells.append(new_code_cell(f'display(*sections.area(pack, "{area}"))'))
    if area == "assessment":
        cells.append(new_code_cell('if audience == "internal":\n    display(sections.overdue_assessments(pack))',
                                   metadata=INTERNAL))
    if area == "workforce":
        cells.append(new_code_cell('if audience == "internal":\n    display(sections.worker_caseloads(pack))',
                                   metadata=INTERNAL))
cells += [
    new_markdown_cell("## About this pack"),
    new_code_cell("display(sections.about(pack))"),
    new_markdown_cell("## Appendix: data quality", metadata=INTERNAL),
    new_code_cell('if audience == "internal":\n    display(sections.data_quality(pack))', metadata=INTERNAL),
]

nb = new_notebook(cells=cells, metadata={
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
    "csc": {"title": "Monthly performance pack: {authority_name}, {month_label}",
            "caption": "Children's social care performance"},
})
for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
    cell["id"] = f"cell-{i:02d}"
OUT.parent.mkdir(parents=True, exist_ok=True)
nbformat.write(nb, OUT)
print(f"wrote {OUT}")
