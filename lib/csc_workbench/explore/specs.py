"""The explorer's charts as Vega-Lite specifications, built directly as dicts.

Why not altair's object model: building a layered altair chart and serialising it costs
0.2-0.4 s (objects are deep-copied when layered, every layer's DataFrame is sanitised again,
and the result is validated against the schema), which alone would break the explorer's
300 ms budget for a selection change. A dict takes about a millisecond. The specs follow
``presentation.charts`` (the Analysis Function palette and theme, the trend chart's layers:
SPC band and centre line, directly labelled target and benchmark lines, flagged points as
pink diamonds).

``SpecChart(spec)`` wraps a finished spec as an altair chart for the front ends that need
one (``mo.ui.altair_chart``, ``alt.JupyterChart``): ``to_dict()`` returns the spec, and its
``params`` are the spec's selection parameters, so both front ends see the click selections.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ..presentation.charts import (AF_DARK_BLUE, AF_DARK_GREY, AF_DARK_PINK, AF_ORANGE, AF_TURQUOISE, CATEGORICAL,
                                   LIGHT_GREY, _label_offsets, _theme)

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# A contribution improved or worsened the figure (by the measure's polarity), or, for a
# measure with no better direction, raised or lowered it.
EFFECTS = {"improved the figure": AF_DARK_BLUE, "worsened the figure": AF_ORANGE,
           "raised the figure": CATEGORICAL[1], "lowered the figure": CATEGORICAL[4]}


class SpecChart(alt.LayerChart):
    """An altair chart holding a finished Vega-Lite layer specification."""

    def __init__(self, spec: dict):
        params = [alt.TopLevelSelectionParameter(name=p["name"], select=p["select"], views=p.get("views", alt.Undefined))
                  for p in spec.get("params", []) if "select" in p]
        super().__init__(layer=[], params=params)
        self.__dict__["_spec"] = spec  # outside the schema's properties

    def to_dict(self, *args, **kwargs) -> dict:
        if kwargs.get("format", "vega-lite") != "vega-lite":
            raise ValueError("SpecChart holds a Vega-Lite specification only")
        return copy.deepcopy(self.__dict__["_spec"])

    def copy(self, *args, **kwargs) -> "SpecChart":
        return SpecChart(self.__dict__["_spec"])

    # Equal when the specs are (altair compares schema properties, which are the same for
    # every SpecChart: a widget would then never see a new chart).
    def __eq__(self, other) -> bool:
        return isinstance(other, SpecChart) and self.__dict__["_spec"] == other.__dict__["_spec"]

    __hash__ = None


def values(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (dates as local ISO date-times, as altair writes them, so
    that month labels do not shift with the viewer's time zone; missing values as None)."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _top(layers: list, *, title=None, width=560, height=260, datasets=None, params=None, data=None) -> dict:
    # SVG, as setup_altair asks for (readable by assistive technology, crisp when printed);
    # vega-embed reads usermeta.embedOptions from the spec, whichever front end embeds it.
    spec = {"$schema": SCHEMA, "config": _theme()["config"], "layer": layers, "width": width, "height": height,
            "usermeta": {"embedOptions": {"renderer": "svg", "actions": False}}}
    if title is not None:
        spec["title"] = title
    if datasets:
        spec["datasets"] = datasets
    if data is not None:
        spec["data"] = data
    if params:
        spec["params"] = params
    return spec


def _title(text: str, subtitle: str | None = None) -> dict:
    out = {"text": text}
    if subtitle:
        out["subtitle"] = subtitle
    return out


def _axis_format(value_format: str) -> str | None:
    """Axis labels without decimals (90.0100.0 runs together; the tooltip has the decimals)."""
    return value_format.lstrip(",").replace(".1f", ".0f") or None


def _tip(field_name: str, title: str, kind: str = "quantitative", fmt: str | None = None) -> dict:
    t = {"field": field_name, "type": kind, "title": title}
    if fmt:
        t["format"] = fmt
    if kind == "temporal":
        t["format"] = fmt or "%B %Y"
    return t


def trend_spec(data: pd.DataFrame, title: str, *, subtitle: str | None = None, value_label: str = "Value",
               value_format: str = ",.1f", target: float | None = None, benchmarks: Mapping[str, float] | None = None,
               selected_month: str | None = None, pick: str = "month_pick", width: int = 620,
               height: int = 260) -> dict:
    """A monthly trend as ``presentation.charts.trend_chart`` draws it, plus a click target
    per month carrying the point selection ``pick`` (field ``month``) and a mark on the
    selected month. ``data``: month ('YYYY-MM'), period (date), value, display and optionally
    mean, lcl, ucl (SPC), flag, flag_note."""
    cols = [c for c in ("month", "period", "value", "display", "numerator", "denominator", "mean", "lcl", "ucl",
                        "flag", "flag_note") if c in data.columns]
    frame = data[cols]
    x = {"field": "period", "type": "temporal", "title": None,
         "axis": {"format": "%b %y", "labelAngle": 0, "tickCount": "month"}}
    # Not from zero: an SPC chart is read for variation around the mean, and a line chart
    # needs no zero baseline (Analysis Function guidance).
    y = {"field": "value", "type": "quantitative", "title": value_label, "scale": {"zero": False},
         "axis": {"format": _axis_format(value_format)}}
    tooltip = [_tip("period", "Month", "temporal"), _tip("value", value_label, fmt=value_format)]
    if "flag_note" in frame.columns:
        tooltip.append(_tip("flag_note", "SPC", "nominal"))
    layers: list[dict] = []
    has_spc = {"lcl", "ucl"} <= set(frame.columns) and frame["ucl"].notna().any()
    if has_spc:
        layers.append({"mark": {"type": "area", "color": LIGHT_GREY, "opacity": 0.35},
                       "encoding": {"x": x, "y": {"field": "lcl", "type": "quantitative", "scale": {"zero": False}},
                                    "y2": {"field": "ucl"},
                                    "tooltip": [_tip("period", "Month", "temporal"),
                                                _tip("lcl", "Lower process limit", fmt=value_format),
                                                _tip("ucl", "Upper process limit", fmt=value_format)]}})
        layers.append({"mark": {"type": "line", "color": AF_DARK_GREY, "strokeDash": [2, 3], "strokeWidth": 1},
                       "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative"}}})
    if selected_month is not None and (frame["month"] == selected_month).any():
        layers.append({"transform": [{"filter": {"field": "month", "equal": selected_month}}],
                       "mark": {"type": "rule", "color": AF_TURQUOISE, "strokeWidth": 2, "opacity": 0.7},
                       "encoding": {"x": x}})
    lines = {"Target": target} if target is not None else {}
    lines.update(benchmarks or {})
    labels: list[tuple[str, float, str]] = []
    if has_spc:
        last_ucl = frame["ucl"].dropna()
        if len(last_ucl):
            labels.append(("Usual range (SPC limits)", float(last_ucl.iloc[-1]), "#505a5f"))
    if lines:
        names = list(lines)
        palette = [AF_ORANGE] + [c for c in CATEGORICAL if c not in (AF_DARK_BLUE, AF_ORANGE)]
        colours = palette[: len(names)] if target is not None else palette[1: len(names) + 1]
        for (name, v), colour in zip(lines.items(), colours):
            layers.append({"mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5, "color": colour},
                           "encoding": {"y": {"datum": float(v), "type": "quantitative"},
                                        "tooltip": {"value": f"{name}: {format(float(v), value_format)}"}}})
            labels.append((name, float(v), colour))
    if labels:
        vals = frame["value"].dropna().tolist() + [v for _, v, _ in labels]
        if has_spc:
            vals += frame["lcl"].dropna().tolist()
        top, bottom = max(vals), min(vals)
        offsets = _label_offsets([v for _, v, _ in labels], bottom, top, height)
        end = frame["period"].max().strftime("%Y-%m-%dT00:00:00")
        for (name, v, colour), dy in zip(labels, offsets):
            layers.append({"data": {"values": [{"period": end, "y": v, "label": name}]},
                           "mark": {"type": "text", "align": "left", "dx": 8, "dy": dy, "fontSize": 11,
                                    "fontWeight": "bold", "color": colour},
                           "encoding": {"x": x, "y": {"field": "y", "type": "quantitative"},
                                        "text": {"field": "label", "type": "nominal"}}})
    layers.append({"mark": {"type": "line", "color": AF_DARK_BLUE}, "encoding": {"x": x, "y": y}})
    layers.append({"mark": {"type": "point", "color": AF_DARK_BLUE, "filled": True, "size": 40},
                   "encoding": {"x": x, "y": y, "tooltip": tooltip}})
    if "flag" in frame.columns and frame["flag"].any():
        layers.append({"transform": [{"filter": "datum.flag"}],
                       "mark": {"type": "point", "shape": "diamond", "size": 160, "filled": True, "color": AF_DARK_PINK,
                                "stroke": "white", "strokeWidth": 1},
                       "encoding": {"x": x, "y": y, "tooltip": tooltip}})
    if selected_month is not None and (frame["month"] == selected_month).any():
        layers.append({"transform": [{"filter": {"field": "month", "equal": selected_month}}],
                       "mark": {"type": "point", "shape": "circle", "size": 260, "filled": False,
                                "color": AF_TURQUOISE, "strokeWidth": 3},
                       "encoding": {"x": x, "y": y}})
    view = f"{pick}_view"
    # The click target: a large point per month, all but invisible until clicked (then a
    # turquoise halo marks the month whose records are shown).
    layers.append({"name": view, "mark": {"type": "point", "size": 400, "filled": True, "color": AF_TURQUOISE,
                                          "cursor": "pointer"},
                   "encoding": {"x": x, "y": y, "tooltip": tooltip,
                                "opacity": {"condition": {"param": pick, "value": 0.5, "empty": False},
                                            "value": 0.01}}})
    params = [{"name": pick, "select": {"type": "point", "fields": ["month"], "on": "click", "clear": "dblclick"},
               "views": [view]}]
    return _top(layers, title=_title(title, subtitle), width=width, height=height,
                datasets={"series": values(frame)}, data={"name": "series"}, params=params)


def bars_spec(table: pd.DataFrame, title: str, *, subtitle: str | None = None, value_label: str = "Value",
              value_format: str = ",.1f", group_title: str = "Group", chosen: str | None = None,
              total: float | None = None, pick: str = "group_pick", width: int = 420) -> dict:
    """Horizontal bars of ``value`` by ``group`` (in the table's order), the chosen group
    highlighted, a dashed line at the total, and the point selection ``pick`` (field
    ``group``) on the bars."""
    frame = table[[c for c in ("group", "value", "display", "numerator", "denominator") if c in table.columns]]
    frame = frame.assign(chosen=frame["group"] == chosen) if chosen is not None else frame.assign(chosen=False)
    tooltip = [_tip("group", group_title, "nominal"), _tip("value", value_label, fmt=value_format),
               _tip("numerator", "Numerator", fmt=",.0f")]
    if "denominator" in frame.columns and frame["denominator"].notna().any():
        tooltip.append(_tip("denominator", "Denominator", fmt=",.0f"))
    view = f"{pick}_view"
    layers = [{"name": view, "mark": {"type": "bar", "cursor": "pointer"},
               "encoding": {"y": {"field": "group", "type": "nominal", "sort": frame["group"].tolist(), "title": None},
                            "x": {"field": "value", "type": "quantitative", "title": value_label,
                                  "axis": {"format": _axis_format(value_format)}},
                            "color": {"condition": [{"param": pick, "value": AF_TURQUOISE, "empty": False},
                                                    {"test": "datum.chosen", "value": AF_TURQUOISE}],
                                      "value": AF_DARK_BLUE},
                            "tooltip": tooltip}}]
    if total is not None and np.isfinite(total):
        layers.append({"mark": {"type": "rule", "color": AF_ORANGE, "strokeDash": [6, 4], "strokeWidth": 2},
                       "encoding": {"x": {"datum": float(total), "type": "quantitative"},
                                    "tooltip": {"value": f"All: {format(float(total), value_format)}"}}})
    params = [{"name": pick, "select": {"type": "point", "fields": ["group"], "on": "click", "clear": "dblclick"},
               "views": [view]}]
    return _top(layers, title=_title(title, subtitle), width=width, height=max(80, 18 * len(frame)),
                data={"values": values(frame)}, params=params)


def contributions_spec(table: pd.DataFrame, by: str, title: str, *, subtitle: str | None = None,
                       unit_label: str = "points", value_format: str = ",.1f", polarity: str = "none",
                       width: int = 420) -> dict:
    """Bars of each group's contribution to a change, coloured by whether it improved or
    worsened the figure (raised or lowered it, for a measure with no better direction)."""
    top = table.dropna(subset=["contribution"]).copy()
    good = {"high": 1, "low": -1}.get(polarity, 0)
    c = top["contribution"].to_numpy(dtype=float)
    top["effect"] = np.where(c * good > 0, "improved the figure", np.where(
        c * good < 0, "worsened the figure", np.where(c >= 0, "raised the figure", "lowered the figure")))
    top["group"] = top[by].astype(str)
    used = set(top["effect"])
    cols = ["group", "effect", "contribution", "value_previous", "value", "rate_effect", "mix_effect"]
    frame = top[cols]
    tooltip = [_tip("group", by.replace("_", " ").capitalize(), "nominal"),
               _tip("contribution", f"Contribution ({unit_label})", fmt="+.2f"),
               _tip("value_previous", "Own figure before", fmt=value_format),
               _tip("value", "Own figure now", fmt=value_format)]
    if frame["rate_effect"].notna().any():
        tooltip += [_tip("rate_effect", "Rate effect", fmt="+.2f"), _tip("mix_effect", "Mix effect", fmt="+.2f")]
    layers = [{"mark": {"type": "bar"},
               "encoding": {"y": {"field": "group", "type": "nominal", "sort": frame["group"].tolist(), "title": None},
                            "x": {"field": "contribution", "type": "quantitative",
                                  "title": f"Contribution to the change ({unit_label})"},
                            "color": {"field": "effect", "type": "nominal", "legend": {"title": None},
                                      "scale": {"domain": [e for e in EFFECTS if e in used],
                                                "range": [EFFECTS[e] for e in EFFECTS if e in used]}},
                            "tooltip": tooltip}},
              {"mark": {"type": "rule", "color": AF_DARK_GREY}, "encoding": {"x": {"datum": 0}}}]
    return _top(layers, title=_title(title, subtitle), width=width, height=max(80, 18 * len(frame)),
                data={"values": values(frame)})


def compare_spec(long: pd.DataFrame, title: str, *, value_label: str = "Value", value_format: str = ",.1f",
                 selected_month: str | None = None, width: int = 620, height: int = 220) -> dict:
    """Two series (column ``series``) over time, dark blue and orange, legend below."""
    frame = long[["month", "period", "series", "value"]]
    names = list(dict.fromkeys(frame["series"]))
    colour = {"field": "series", "type": "nominal", "legend": {"title": None, "orient": "bottom"},
              "scale": {"domain": names, "range": [AF_DARK_BLUE, AF_ORANGE]}}
    x = {"field": "period", "type": "temporal", "title": None, "axis": {"format": "%b %y", "labelAngle": 0}}
    y = {"field": "value", "type": "quantitative", "title": value_label, "scale": {"zero": False},
         "axis": {"format": _axis_format(value_format)}}
    tooltip = [_tip("series", "Series", "nominal"), _tip("period", "Month", "temporal"),
               _tip("value", value_label, fmt=value_format)]
    layers = []
    if selected_month is not None and (frame["month"] == selected_month).any():
        layers.append({"transform": [{"filter": {"field": "month", "equal": selected_month}}],
                       "mark": {"type": "rule", "color": LIGHT_GREY, "strokeWidth": 2}, "encoding": {"x": x}})
    layers += [{"mark": {"type": "line"}, "encoding": {"x": x, "y": y, "color": colour}},
               {"mark": {"type": "point", "filled": True, "size": 30},
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}}]
    return _top(layers, title=_title(title), width=width, height=height, data={"values": values(frame)})


__all__ = ["SpecChart", "trend_spec", "bars_spec", "contributions_spec", "compare_spec", "values"]
