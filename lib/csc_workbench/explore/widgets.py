"""The explorer in JupyterLab: ipywidgets controls and altair ``JupyterChart`` selections,
wired to ``Explorer``. ``notebooks/explore_widgets.ipynb`` only builds and shows it:

    ui = ExplorerWidgets(Explorer(warehouse))
    ui.layout        # the whole app as one widget

Clicking a month on the trend (selection ``month_pick``) or a bar of the breakdown
(``group_pick``) sets the month or group dropdown, which redraws the records, the
decomposition and the trend for that group. Every control is an ordinary widget, so a test
drives the app by setting ``.value`` and by writing a chart's selection as its front end
would (``_vl_selections``).
"""

from __future__ import annotations

import base64
import html

import altair as alt
import ipywidgets as W
import pandas as pd

from ..measures.catalogue import TOTAL
from .explorer import GROUP_PARAM, INTERNAL_NOTICE, MONTH_PARAM, Explorer, Selection, View, picked_values

MAX_ROWS = 300  # records shown on the page; the CSV has them all


def _table_html(frame: pd.DataFrame, max_rows: int = MAX_ROWS) -> str:
    shown = frame.head(max_rows)
    more = f"<p>{len(frame) - max_rows:,} more rows in the CSV.</p>" if len(frame) > max_rows else ""
    body = shown.to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.1f}", border=0,
                         classes="csc-table")
    return f'<div style="max-height:420px;overflow:auto">{body}</div>{more}'


class ExplorerWidgets:
    """The explore journey as widgets (see the module docstring)."""

    def _ipython_display_(self) -> None:
        # A cell ending in ``ui`` shows the whole app.
        from IPython.display import display

        display(self.layout)

    def __init__(self, explorer: Explorer, authority: str | None = None, measure: str | None = None):
        self.ex = explorer
        self._busy = False
        sel = explorer.selection(authority, measure)
        self.selection: Selection = sel
        layout = W.Layout(width="auto")
        style = {"description_width": "initial"}
        auths = explorer.authorities()
        self.authority = W.Dropdown(options=[(f"{n} ({c})", c) for c, n in zip(auths["code"], auths["name"])],
                                    value=sel.authority, description="Authority", style=style, layout=layout)
        self.measure = W.Dropdown(description="Measure", style=style, layout=W.Layout(width="460px"))
        self.breakdown = W.Dropdown(description="Breakdown", style=style, layout=layout)
        self.group = W.Dropdown(description="Group", style=style, layout=layout)
        self.month = W.Dropdown(description="Month", style=style, layout=layout)
        self.by = W.Dropdown(description="Split the change by", style=style, layout=layout)
        self.compare_authority = W.Dropdown(description="Compare with authority", style=style, layout=layout)
        self.compare_group = W.Dropdown(description="or with group", style=style, layout=layout)
        self.notice = W.HTML(f'<div style="background:#d4351c;color:white;padding:8px 12px;font-weight:bold">'
                             f'{html.escape(INTERNAL_NOTICE)}</div>')
        self.status = W.HTML()
        self.trend_chart = alt.JupyterChart(None)
        self.breakdown_chart = alt.JupyterChart(None)
        self.decompose_chart = alt.JupyterChart(None)
        self.compare_chart = alt.JupyterChart(None)
        self.trend_note = W.HTML()
        self.decompose_text = W.HTML()
        self.records_title = W.HTML()
        self.records_table = W.HTML()
        self.decompose_table = W.HTML()
        self.compare_table = W.HTML()
        self.download = W.HTML()
        self.views: dict[str, View] = {}
        self._sync_controls(sel)
        for control in (self.authority, self.measure, self.breakdown, self.group, self.month, self.by,
                        self.compare_authority, self.compare_group):
            control.observe(self._on_control, names="value")
        self.refresh()
        self.layout = W.VBox([
            self.notice,
            W.HBox([self.authority, self.measure]),
            W.HBox([self.breakdown, self.group, self.month, self.by]),
            self.status, self.trend_chart, self.trend_note,
            W.HBox([self.breakdown_chart, W.VBox([self.decompose_chart, self.decompose_text])]),
            self.records_title, self.download, self.records_table,
            W.HTML("<h3>What moved it</h3>"), self.decompose_table,
            W.HTML("<h3>Compare</h3>"), W.HBox([self.compare_authority, self.compare_group]),
            self.compare_chart, self.compare_table,
        ])

    # ---- controls ------------------------------------------------------------------------

    def _sync_controls(self, sel: Selection) -> None:
        """Options and values of every control for ``sel`` (no callbacks meanwhile)."""
        ex = self.ex
        self._busy = True
        try:
            measures = ex.measures(sel.authority)
            self.measure.options = list(zip(measures["label"], measures["id"]))
            self.measure.value = sel.measure
            # Which breakdown the bars show (and the groups come from).
            options = [b for b in ex.breakdowns(sel.authority, sel.measure) if b != TOTAL] or [TOTAL]
            self.breakdown.options = options
            self.breakdown.value = sel.breakdown if sel.breakdown in options else options[0]
            self.breakdown.disabled = options == [TOTAL]
            groups = ex.values(sel.authority, sel.measure, self.breakdown.value)
            self.group.options = [TOTAL] + [g for g in groups if g != TOTAL]
            self.group.value = sel.value if sel.value in groups else TOTAL
            self.month.options = list(reversed(ex.months(sel.authority, sel.measure, sel.period_type)))
            self.month.value = sel.month
            splits = ex.explanation(sel).groups()
            self.by.options = splits or [sel.by]
            self.by.value = ex.split_for(sel)
            others = [c for c in self.authority.options if c[1] != sel.authority]
            self.compare_authority.options = [("(none)", None)] + others
            self.compare_authority.value = sel.compare_authority
            others = [g for g in groups if g not in (TOTAL, sel.value)] if sel.value != TOTAL else []
            self.compare_group.options = [("(none)", None)] + [(g, g) for g in others]
            self.compare_group.value = sel.compare_value if sel.compare_value in others else None
            self.compare_group.disabled = not others
        finally:
            self._busy = False

    def _on_control(self, change) -> None:
        if self._busy:
            return
        sel = self.selection
        owner = change["owner"]
        if owner is self.authority:
            sel = self.ex.selection(change["new"], sel.measure if sel.measure in set(
                self.ex.measures(change["new"])["id"]) else None)
        elif owner is self.measure:
            sel = sel.replace(measure=change["new"], period_type=None, breakdown=TOTAL, value=TOTAL,
                              compare_value=None)
        elif owner is self.breakdown:
            sel = sel.replace(breakdown=change["new"], value=TOTAL, compare_value=None)
        elif owner is self.group:
            sel = sel.replace(breakdown=self.breakdown.value, value=change["new"])
        elif owner is self.month:
            sel = sel.replace(month=change["new"])
        elif owner is self.by:
            sel = sel.replace(by=change["new"])
        elif owner is self.compare_authority:
            sel = sel.replace(compare_authority=change["new"])
        elif owner is self.compare_group:
            sel = sel.replace(compare_value=change["new"])
        self.select(sel)

    def select(self, sel: Selection) -> None:
        """Show ``sel``: controls, charts and tables."""
        self.selection = self.ex.resolve(sel)
        self._sync_controls(self.selection)
        self.refresh()

    # ---- chart clicks -------------------------------------------------------------------

    def _on_month_click(self, change) -> None:
        picked = picked_values(self.trend_chart.selections, MONTH_PARAM, "month")
        if picked and picked[0] != self.selection.month:
            self.select(self.selection.replace(month=picked[0]))

    def _on_group_click(self, change) -> None:
        picked = picked_values(self.breakdown_chart.selections, GROUP_PARAM, "group")
        if not picked:
            return
        bars = self.views.get("breakdown")
        b = bars.meta.get("breakdown") if bars is not None else None
        if b and (picked[0] != self.selection.value or b != self.selection.breakdown):
            self.select(self.selection.replace(breakdown=b, value=picked[0], compare_value=None))

    @staticmethod
    def _show(jchart: alt.JupyterChart, view: View | None, param: str | None = None, callback=None) -> None:
        jchart.chart = view.chart if view is not None else None
        # A new chart brings new selection traits: watch them again.
        if param is not None and view is not None and view.chart is not None and hasattr(jchart.selections, param):
            jchart.selections.observe(callback, names=[param])

    # ---- drawing --------------------------------------------------------------------------

    def refresh(self) -> None:
        sel = self.selection
        ex = self.ex
        self.views = views = ex.page(sel)
        self._show(self.trend_chart, views["trend"], MONTH_PARAM, self._on_month_click)
        self._show(self.breakdown_chart, views["breakdown"] if views["breakdown"].vega else None, GROUP_PARAM,
                   self._on_group_click)
        self._show(self.decompose_chart, views["decompose"] if views["decompose"].vega else None)
        self.trend_note.value = f"<p>{html.escape(views['trend'].note)}</p>" if views["trend"].note else ""
        self.status.value = (f"<p><b>{html.escape(views['trend'].title)}</b>. Click a point on the trend to see "
                             "that month's records; click a bar to choose a group.</p>")
        rec = views["records"]
        self.records_title.value = f"<h3>{html.escape(rec.title)}</h3><p>{html.escape(rec.note)}</p>"
        self.records_table.value = _table_html(rec.table)
        csv = ex.to_csv(sel).encode("utf-8")
        name = html.escape(ex.csv_filename(sel))
        self.download.value = (f'<a download="{name}" href="data:text/csv;base64,{base64.b64encode(csv).decode()}">'
                               f"Download these records (CSV, internal only)</a>")
        dec = views["decompose"]
        self.decompose_text.value = f"<p>{html.escape(dec.title)}</p><p><i>{html.escape(dec.note)}</i></p>"
        self.decompose_table.value = _table_html(dec.table, 50)
        if "compare" in views:
            self._show(self.compare_chart, views["compare"] if views["compare"].vega else None)
            self.compare_table.value = _table_html(views["compare"].table, 100)
        else:
            self._show(self.compare_chart, None)
            self.compare_table.value = "<p>Choose an authority, or a group and a second group, to compare.</p>"


__all__ = ["ExplorerWidgets"]


def open_explorer(warehouse=None) -> ExplorerWidgets:
    """The explorer for a JupyterLab cell (display ``.layout``): the warehouse
    ($CSCW_WAREHOUSE or data/warehouse.duckdb by default), warmed so clicks answer fast."""
    from ..model.warehouse import default_path

    return ExplorerWidgets(Explorer(warehouse or default_path(), warm=True))
