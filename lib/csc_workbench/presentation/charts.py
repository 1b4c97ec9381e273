"""Charts for packs: one altair set-up and small helpers that follow the Government
Analysis Function's guidance (accessible colours used in order, direct labels instead of
legends where possible, no 3-D, a title that states the finding).

Notebooks call ``setup_altair()`` once, then build charts from plain DataFrames (the
assessment layer supplies the series). Charts stay interactive (tooltips) when a pack is
rendered to offline HTML by ``csc_workbench.packs.render``: the Vega libraries are inlined
there once, so charts must use altair's *default* renderer (other renderers either break
with two or more charts or emit output the offline page cannot draw).
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

# Analysis Function categorical palette ("main6"), to be used in this order so that
# neighbouring series keep the best contrast. Two series: dark blue and orange.
AF_DARK_BLUE = "#12436D"
AF_TURQUOISE = "#28A197"
AF_DARK_PINK = "#801650"
AF_ORANGE = "#F46A25"
AF_DARK_GREY = "#3D3D3D"
AF_LIGHT_PURPLE = "#A285D1"
CATEGORICAL = (AF_DARK_BLUE, AF_TURQUOISE, AF_DARK_PINK, AF_ORANGE, AF_DARK_GREY, AF_LIGHT_PURPLE)
TWO_SERIES = (AF_DARK_BLUE, AF_ORANGE)
# Sequential (ordered categories) and focus (one highlighted element against the rest).
SEQUENTIAL = ("#12436D", "#2073BC", "#6BACE6")
FOCUS = (AF_DARK_BLUE, "#BFBFBF")
LIGHT_GREY = "#BFBFBF"

FONT = "Arial, Helvetica, sans-serif"
THEME_NAME = "csc_af"


def _theme() -> dict:
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"continuousWidth": 560, "continuousHeight": 260, "stroke": None},
            "range": {"category": list(CATEGORICAL)},
            "title": {"anchor": "start", "fontSize": 16, "fontWeight": "bold", "color": "#0b0c0c",
                      "subtitleFontSize": 13, "subtitleColor": "#505a5f", "offset": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#0b0c0c",
                     "titleColor": "#0b0c0c", "gridColor": "#e5e5e5", "domainColor": "#6f777b",
                     "tickColor": "#6f777b"},
            "axisX": {"grid": False},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 50, "filled": True},
            "text": {"fontSize": 12},
        }
    }


def setup_altair() -> None:
    """Use altair's default renderer (the only one that works offline with several charts),
    hide the embed actions menu (its "open in editor" link would send the data to a web
    site), draw as SVG (crisp when printed, readable by assistive technology) and apply
    the Analysis Function theme. Safe to call more than once."""
    alt.renderers.enable("default")
    alt.renderers.set_embed_options(actions=False, renderer="svg")
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(_theme)
    alt.theme.enable(THEME_NAME)


def _target_lines(target) -> dict:
    """The target's reference lines: one ('Target'), or a range's two edges (a pair of
    numbers or columns: low, high), drawn alike."""
    if target is None:
        return {}
    if isinstance(target, tuple | list):
        low, high = target
        return {"Target range top": high, "Target range bottom": low}
    return {"Target": target}


def _line_colours(names: list[str]) -> list[str]:
    """Target lines orange (the Analysis Function's pairing with dark blue); benchmarks
    the next colours of the palette in order."""
    others = iter(c for c in CATEGORICAL if c not in (AF_DARK_BLUE, AF_ORANGE))
    return [AF_ORANGE if n.startswith("Target") else next(others) for n in names]


def _line_points(y: np.ndarray) -> np.ndarray:
    """The points a reference line needs: the ends and every point where it changes (a
    constant target is two points, not 36; the drawn line is the same)."""
    n = len(y)
    if n <= 2:
        return np.ones(n, dtype=bool)
    same_prev = np.r_[False, y[1:] == y[:-1]]
    same_next = np.r_[y[:-1] == y[1:], False]
    return ~(same_prev & same_next)


def _y_extent(plotted: list[pd.Series], zero: bool) -> tuple[float, float]:
    """(top, bottom) of what the y scale shows, for placing direct labels: the data's range,
    stretched to zero unless ``zero`` is False (Vega-Lite's quantitative scales include zero
    by default)."""
    values = pd.concat(plotted)
    top, bottom = float(values.max()), float(values.min())
    if zero:
        top, bottom = max(top, 0.0), min(bottom, 0.0)
    return top, bottom


def _label_offsets(values: list[float], bottom: float, top: float, height: int, gap: float = 13.0) -> list[float]:
    """Vertical pixel offsets that keep direct labels at least ``gap`` apart (lines close
    in value, such as a target and England, would otherwise print on top of each other)."""
    span = (top - bottom) or 1.0
    pixels = [height * (1 - (v - bottom) / span) for v in values]
    order = sorted(range(len(values)), key=lambda i: pixels[i])
    placed = {}
    previous = None
    for i in order:
        pos = pixels[i] if previous is None else max(pixels[i], previous + gap)
        placed[i] = pos
        previous = pos
    return [placed[i] - pixels[i] for i in range(len(values))]


def trend_chart(data: pd.DataFrame, title: str, **options) -> alt.LayerChart:
    """``trend_spec``'s chart (same arguments) as an altair object, for analysts composing
    altair charts: one drawing, so the pack and an analyst's chart are the same chart."""
    spec = trend_spec(data, title, **options)
    return alt.LayerChart.from_dict(spec.to_dict(), validate=False)


class VegaLiteChart:
    """A Vega-Lite spec (a dict) that displays in a notebook exactly as an altair chart
    does: through altair's active renderer (``setup_altair``), so it renders offline in a
    pack like any other chart. Building altair objects and serialising them costs about
    0.15 s a chart; a dict costs a millisecond."""

    def __init__(self, spec: dict):
        self.spec = spec

    def to_dict(self) -> dict:
        return self.spec

    def _repr_mimebundle_(self, include=None, exclude=None):
        renderer = alt.renderers.get()
        return renderer(self.spec) if renderer else {}


def _records(frame: pd.DataFrame, period: str) -> list[dict]:
    """Rows as altair serialises them: dates as ISO text, missing values as null. (A chart
    holds a few dozen points, so plain lists beat pandas' row conversion here.)"""
    columns = []
    for name in frame.columns:
        col = frame[name]
        missing = col.isna().to_numpy()
        if name == period:
            values = np.datetime_as_string(pd.to_datetime(col).to_numpy(dtype="datetime64[s]"), unit="s").tolist()
        else:
            values = col.tolist()
        columns.append([None if m else v for v, m in zip(values, missing)])
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*columns)]


def trend_spec(
    data: pd.DataFrame,
    title: str,
    *,
    subtitle: str | None = None,
    period: str = "period",
    value: str = "value",
    value_label: str = "Value",
    value_format: str = ",.1f",
    target: str | float | tuple | None = None,
    benchmarks: Mapping[str, str | float] | None = None,
    centre: str = "centre",
    lower: str = "lower",
    upper: str = "upper",
    flag: str = "flag",
    flag_note: str = "flag_note",
    width: int = 560,
    height: int = 260,
    zero: bool = True,
    description: str | None = None,
) -> VegaLiteChart:
    """A monthly trend: the measure's line, its target, benchmark lines, SPC limits and the
    points the assessment layer flagged.

    ``data`` has one row per period: ``period`` (datetime), ``value``, and optionally the
    SPC columns (``centre``, ``lower``, ``upper``) and ``flag`` (bool) with ``flag_note``
    (the reason shown in the tooltip). ``target`` and each benchmark are either a column
    of ``data`` (a target that changes over time) or one number; ``target`` may also be a
    range, a (low, high) pair, drawn as two orange lines. ``title`` should state
    the finding ("Re-referrals rose above target in March"), not name the measure.

    Reference lines are labelled directly at their right-hand end (no legend to decode),
    and flagged points are marked by shape as well as colour. ``zero=False`` lets the value
    axis start near the data instead of at zero (a percentage moving between 70 and 90).

    ``description`` is the text a screen reader announces for the chart. Returned as a
    Vega-Lite dictionary (about a hundred times faster than building altair objects: packs
    with dozens of charts use it); ``trend_chart`` gives the same chart as an altair object.
    """
    if period not in data.columns or value not in data.columns:
        raise KeyError(f"trend_spec needs columns {period!r} and {value!r}; got {list(data.columns)}")
    frame = data.copy()
    frame[period] = pd.to_datetime(frame[period])
    frame = frame.reset_index(drop=True)
    iso = np.datetime_as_string(frame[period].to_numpy(dtype="datetime64[s]"), unit="s").tolist()
    datasets: dict[str, list[dict]] = {}

    def dataset(rows: list[dict]) -> dict:
        name = f"data-{len(datasets)}"
        datasets[name] = rows
        return {"name": name}

    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype="float64")

    x = {"axis": {"format": "%b %y", "labelAngle": 0, "tickCount": "month"}, "field": period,
         "title": None, "type": "temporal"}
    month_tip = {"field": period, "format": "%B %Y", "title": "Month", "type": "temporal"}
    main_rows = _records(frame, period)
    main = dataset(main_rows)
    layers: list[dict] = []

    lines = _target_lines(target)
    lines.update(benchmarks or {})
    ref_rows: list[dict] = []
    ref_ys: list[float] = []
    last_of: dict[str, float] = {}
    for name, spec in lines.items():
        y = column(spec) if isinstance(spec, str) else np.full(len(frame), float(spec))
        keep = np.flatnonzero(_line_points(y))
        for i in keep:
            v = None if np.isnan(y[i]) else float(y[i])
            ref_rows.append({period: iso[i], "line": name, "y": v})
        ref_ys.extend(y.tolist())
        known = np.flatnonzero(~np.isnan(y))
        if len(known):
            last_of[name] = float(y[known[np.argmax(frame[period].to_numpy()[known])]])

    has_spc = {lower, upper} <= set(frame.columns)
    if has_spc:
        layers.append({"data": main, "mark": {"type": "area", "color": LIGHT_GREY, "opacity": 0.35},
                       "encoding": {"tooltip": [
                           month_tip,
                           {"field": lower, "format": value_format, "title": "Lower process limit",
                            "type": "quantitative"},
                           {"field": upper, "format": value_format, "title": "Upper process limit",
                            "type": "quantitative"}],
                           "x": x, "y": {"field": lower, "type": "quantitative"}, "y2": {"field": upper}}})
    if centre in frame.columns:
        layers.append({"data": main, "mark": {"type": "line", "color": AF_DARK_GREY, "strokeDash": [2, 3],
                                              "strokeWidth": 1},
                       "encoding": {"x": x, "y": {"field": centre, "type": "quantitative"}}})

    labels: list[tuple[str, float, str]] = []
    if has_spc:
        up = column(upper)
        known = np.flatnonzero(~np.isnan(up))
        if len(known):
            last = known[np.argmax(frame[period].to_numpy()[known])]
            labels.append(("Usual range (SPC limits)", float(up[last]), "#505a5f"))
    if lines:
        names = list(lines)
        colours = _line_colours(names)
        layers.append({"data": dataset(ref_rows),
                       "mark": {"type": "line", "strokeDash": [6, 4], "strokeWidth": 1.5},
                       "encoding": {
                           "color": {"field": "line", "legend": None,
                                     "scale": {"domain": names, "range": colours}, "type": "nominal"},
                           "detail": {"field": "line", "type": "nominal"},
                           "tooltip": [{"field": "line", "title": "Line", "type": "nominal"}, month_tip,
                                       {"field": "y", "format": value_format, "title": "Value",
                                        "type": "quantitative"}],
                           "x": x, "y": {"field": "y", "type": "quantitative"}}})
        by_name = dict(zip(names, colours))
        labels += [(n, last_of[n], by_name[n]) for n in names if n in last_of]
    if labels:
        plotted = [frame[value]] + [frame[c] for c in (upper,) if c in frame.columns]
        if lines:
            plotted.append(pd.Series(ref_ys, dtype="float64"))
        top, bottom = _y_extent(plotted, zero)
        end = np.datetime_as_string(frame[period].max().to_datetime64().astype("datetime64[s]"), unit="s")
        offsets = _label_offsets([v for _, v, _ in labels], bottom, top, height)
        for (name, v, col), dy in zip(labels, offsets):
            layers.append({"data": dataset([{period: str(end), "y": v, "label": name}]),
                           "mark": {"type": "text", "align": "left", "color": col, "dx": 8, "dy": dy,
                                    "fontSize": 11, "fontWeight": "bold"},
                           "encoding": {"text": {"field": "label", "type": "nominal"}, "x": x,
                                        "y": {"field": "y", "type": "quantitative"}}})

    tooltip = [month_tip, {"field": value, "format": value_format, "title": value_label,
                           "type": "quantitative"}]
    if isinstance(target, str):
        tooltip.append({"field": target, "format": value_format, "title": "Target", "type": "quantitative"})
    if flag_note in frame.columns:
        tooltip.append({"field": flag_note, "title": "Flag", "type": "nominal"})
    y = {"axis": {"format": value_format.lstrip(",") or None}, "field": value, "title": value_label,
         "type": "quantitative"}
    if not zero:
        y["scale"] = {"zero": False}
    layers.append({"data": main, "mark": {"type": "line", "color": AF_DARK_BLUE},
                   "encoding": {"x": x, "y": y}})
    layers.append({"data": main, "mark": {"type": "point", "color": AF_DARK_BLUE, "filled": True, "size": 40},
                   "encoding": {"tooltip": tooltip, "x": x, "y": y}})
    if flag in frame.columns:
        flagged = frame[flag].fillna(False).astype(bool).to_numpy()
        if flagged.any():
            layers.append({"data": dataset([main_rows[i] for i in np.flatnonzero(flagged)]),
                           "mark": {"type": "point", "color": AF_DARK_PINK, "filled": True, "shape": "diamond",
                                    "size": 160, "stroke": "white", "strokeWidth": 1},
                           "encoding": {"tooltip": tooltip, "x": x, "y": y}})

    title_spec = {"text": title}
    if subtitle:
        title_spec["subtitle"] = subtitle
    spec = {"config": _theme()["config"], "layer": layers, "height": height, "title": title_spec,
            "width": width, "$schema": alt.SCHEMA_URL, "datasets": datasets}
    if description:
        spec["description"] = description
    return VegaLiteChart(spec)
