import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="CSC explorer (internal only)")


@app.cell
def imports():
    # The explorer: from a number to the records behind it. Served with
    #     marimo run notebooks/explore.py
    # (warehouse: $CSCW_WAREHOUSE, else data/warehouse.duckdb). UI wiring only: the logic is
    # csc_workbench.explore.Explorer. Child-level records: internal use only.
    import sys
    from pathlib import Path

    import marimo as mo

    try:
        import csc_workbench  # noqa: F401
    except ImportError:  # a clone used without `pip install -e .`
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

    from csc_workbench.errors import WorkbenchError
    from csc_workbench.explore import INTERNAL_NOTICE, Explorer, Selection, picked_values
    from csc_workbench.explore.explorer import GROUP_PARAM, MONTH_PARAM
    from csc_workbench.model.warehouse import default_path
    return (Explorer, GROUP_PARAM, INTERNAL_NOTICE, MONTH_PARAM, Selection, WorkbenchError, default_path, mo,
            picked_values)


@app.cell
def banner(INTERNAL_NOTICE, mo):
    mo.vstack([
        mo.md("# CSC performance explorer"),
        mo.callout(mo.md(f"**{INTERNAL_NOTICE}**"), kind="danger"),
    ])
    return


@app.cell
def open_warehouse(Explorer, WorkbenchError, default_path, mo):
    warehouse = default_path()
    try:
        # Served (`marimo run`): compute each authority's measure frames when it opens, so no click
        # waits; run as a script (tests), only what is asked for.
        explorer = Explorer(warehouse, warm=mo.running_in_notebook())
        authorities = explorer.authorities()
    except WorkbenchError as exc:
        explorer, authorities = None, None
        mo.stop(True, mo.callout(mo.md(f"Cannot open the warehouse `{warehouse}`: {exc}"), kind="warn"))
    return authorities, explorer


@app.cell
def state(mo):
    # What the charts' clicks set (and the month and group lists too): the month, and the
    # group as (breakdown, value).
    get_month, set_month = mo.state(None)
    get_group, set_group = mo.state(None)
    return get_group, get_month, set_group, set_month


@app.cell
def choose_authority(authorities, mo):
    _labels = {f"{n} ({c})": c for c, n in zip(authorities["code"], authorities["name"])}
    authority_ui = mo.ui.dropdown(options=_labels, value=next(iter(_labels)), label="Authority")
    return (authority_ui,)


@app.cell
def choose_measure(authority_ui, explorer, mo):
    with mo.status.spinner(title="Opening the authority", subtitle="its measures and the records behind them"):
        _m = explorer.measures(authority_ui.value)
    _options = dict(zip(_m["label"], _m["id"]))
    _default = next((k for k, v in _options.items() if v == "assessment_45wd_pct"), next(iter(_options)))
    measure_ui = mo.ui.dropdown(options=_options, value=_default, label="Measure", searchable=True)
    return (measure_ui,)


@app.cell
def choose_breakdown(authority_ui, explorer, measure_ui, mo, set_group):
    # Which breakdown the bars show (and the group list comes from).
    _options = [b for b in explorer.breakdowns(authority_ui.value, measure_ui.value) if b != "all"] or ["all"]
    breakdown_ui = mo.ui.dropdown(options=_options, value=_options[0], label="Breakdown",
                                  disabled=_options == ["all"], on_change=lambda _: set_group(None))
    return (breakdown_ui,)


@app.cell
def base_selection(Selection, authority_ui, breakdown_ui, explorer, get_group, get_month, measure_ui):
    _group = get_group()
    base = explorer.resolve(Selection(
        authority_ui.value, measure_ui.value,
        breakdown=_group[0] if _group else breakdown_ui.value, value=_group[1] if _group else "all",
        month=get_month()))
    return (base,)


@app.cell
def choose_group_month_split(base, breakdown_ui, explorer, mo, set_group, set_month):
    _b = base.breakdown if base.value != "all" else breakdown_ui.value
    _groups = ["all"] + [g for g in explorer.values(base.authority, base.measure, _b) if g != "all"]
    group_ui = mo.ui.dropdown(options=_groups, value=base.value if base.value in _groups else "all",
                              label="Group", on_change=lambda v: set_group(None if v == "all" else (_b, v)))
    _months = list(reversed(explorer.months(base.authority, base.measure, base.period_type)))
    month_ui = mo.ui.dropdown(options=_months, value=base.month, label="Month", on_change=set_month)
    _splits = explorer.explanation(base).groups()
    _by = explorer.split_for(base)
    by_ui = mo.ui.dropdown(options=_splits or [_by], value=_by, label="Split the change by")
    return by_ui, group_ui, month_ui


@app.cell
def choose_comparison(authorities, base, explorer, mo):
    _others = {f"{n} ({c})": c for c, n in zip(authorities["code"], authorities["name"]) if c != base.authority}
    compare_authority_ui = mo.ui.dropdown(options={"(none)": None, **_others}, value="(none)",
                                          label="Compare with authority")
    _groups = [g for g in explorer.values(base.authority, base.measure, base.breakdown)
               if g not in ("all", base.value)]
    compare_group_ui = mo.ui.dropdown(options={"(none)": None, **{g: g for g in _groups}}, value="(none)",
                                      label=f"or with {base.breakdown.replace('_', ' ')}"
                                      if base.value != "all" else "or with group (choose a group first)",
                                      disabled=base.value == "all")
    return compare_authority_ui, compare_group_ui


@app.cell
def selection(base, by_ui, compare_authority_ui, compare_group_ui):
    sel = base.replace(by=by_ui.value, compare_authority=compare_authority_ui.value,
                       compare_value=compare_group_ui.value)
    return (sel,)


@app.cell
def controls(authority_ui, breakdown_ui, by_ui, group_ui, measure_ui, mo, month_ui):
    mo.vstack([mo.hstack([authority_ui, measure_ui], justify="start"),
               mo.hstack([breakdown_ui, group_ui, month_ui, by_ui], justify="start")])
    return


@app.cell
def trend(explorer, mo, sel):
    trend_view = explorer.trend(sel)
    trend_ui = mo.ui.altair_chart(trend_view.chart, chart_selection=False, legend_selection=False)
    mo.vstack([trend_ui, mo.md(f"*{trend_view.note}*") if trend_view.note else mo.md("")])
    return (trend_ui,)


@app.cell
def pick_month(MONTH_PARAM, picked_values, sel, set_month, trend_ui):
    # A click on a month of the trend chooses the month.
    clicked_month = next(iter(picked_values(trend_ui.selections, MONTH_PARAM, "month")), None)
    if clicked_month is not None and clicked_month != sel.month:
        set_month(clicked_month)
    return (clicked_month,)


@app.cell
def breakdown_bars(explorer, mo, sel):
    bars_view = explorer.breakdown(sel)
    bars_ui = mo.ui.altair_chart(bars_view.chart, chart_selection=False, legend_selection=False) \
        if bars_view.chart is not None else None
    return bars_ui, bars_view


@app.cell
def pick_group(GROUP_PARAM, bars_ui, bars_view, picked_values, sel, set_group):
    # A click on a bar chooses that group (its trend, records and split).
    clicked_group = next(iter(picked_values(bars_ui.selections, GROUP_PARAM, "group")), None) \
        if bars_ui is not None else None
    _b = bars_view.meta.get("breakdown")
    if clicked_group is not None and (sel.breakdown, sel.value) != (_b, clicked_group):
        set_group((_b, clicked_group))
    return (clicked_group,)


@app.cell
def what_moved_it(bars_ui, bars_view, explorer, mo, sel):
    decompose_view = explorer.decompose(sel)
    _left = bars_ui if bars_ui is not None else mo.md(f"*{bars_view.note}*")
    _right = mo.vstack([
        mo.md(f"**{decompose_view.title}**"),
        mo.ui.altair_chart(decompose_view.chart, chart_selection=False, legend_selection=False)
        if decompose_view.chart is not None else mo.md(f"*{decompose_view.note}*"),
    ])
    mo.hstack([_left, _right], justify="start", gap=2, widths=[1, 1])
    return (decompose_view,)


@app.cell
def records(explorer, mo, sel):
    records_view = explorer.records(sel)
    mo.vstack([
        mo.md(f"## {records_view.title}\n\n{records_view.note}. Internal only: child-level rows."),
        mo.download(data=lambda: explorer.to_csv(sel).encode("utf-8"), filename=explorer.csv_filename(sel),
                    mimetype="text/csv", label="Download these records (CSV, internal only)"),
        mo.ui.table(records_view.table, page_size=12, selection=None),
    ])
    return (records_view,)


@app.cell
def split_table(decompose_view, mo):
    mo.accordion({"How the change splits (table)": mo.ui.table(decompose_view.table, page_size=15,
                                                                selection=None)})
    return


@app.cell
def compare(compare_authority_ui, compare_group_ui, explorer, mo, sel):
    compare_view = explorer.compare(sel)
    mo.vstack([
        mo.md("## Compare"),
        mo.hstack([compare_authority_ui, compare_group_ui], justify="start"),
        mo.ui.altair_chart(compare_view.chart, chart_selection=False, legend_selection=False)
        if compare_view.chart is not None else mo.md(f"*{compare_view.note}*"),
    ])
    return (compare_view,)


if __name__ == "__main__":
    app.run()
