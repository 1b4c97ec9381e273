"""Chart helpers (presentation.charts): Analysis Function palette, trend chart layers."""

import altair as alt
import pandas as pd
import pytest

from csc_workbench.presentation import charts
from csc_workbench.presentation.charts import CATEGORICAL, setup_altair, trend_chart


def _series(n=15):
    periods = pd.date_range("2024-04-30", periods=n, freq="ME")
    frame = pd.DataFrame({"period": periods, "value": [20.0 + (i % 4) for i in range(n)],
                          "centre": 21.5, "lower": 17.0, "upper": 26.0})
    frame["flag"] = False
    frame.loc[[3, 11], "flag"] = True
    frame["flag_note"] = frame["flag"].map({True: "Above the upper limit", False: ""})
    return frame


def _layers(chart):
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    out = []
    for layer in spec["layer"]:
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        rows = datasets.get(layer.get("data", {}).get("name"), spec.get("data", {}).get("values"))
        if rows is None and "data" not in layer:
            rows = datasets.get(spec.get("data", {}).get("name"))
        out.append((mark, layer, rows))
    return spec, out


def test_palette_is_the_analysis_function_main_palette_in_order():
    assert CATEGORICAL == ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")


def test_setup_uses_the_default_renderer_without_actions():
    setup_altair()
    assert alt.renderers.active == "default"
    assert alt.renderers.options["embed_options"]["actions"] is False
    html = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a")._repr_mimebundle_()
    html = html[0] if isinstance(html, tuple) else html
    assert '"actions": false' in html["text/html"]
    assert alt.theme.active == charts.THEME_NAME


def test_trend_chart_has_value_target_benchmarks_limits_and_flags():
    setup_altair()
    chart = trend_chart(_series(), "Re-referrals rose above target", target=21.0,
                        benchmarks={"England": 22.4, "Statistical neighbours": 23.1}, value_label="Re-referrals (%)")
    spec, layers = _layers(chart)
    assert spec["title"]["text"] == "Re-referrals rose above target"
    marks = [m for m, _, _ in layers]
    assert marks.count("area") == 1  # SPC band
    texts = [layer for m, layer, _ in layers if m == "text"]
    labels = sorted(rows[0]["label"] for m, _, rows in layers if m == "text")
    assert labels == ["England", "Statistical neighbours", "Target", "Usual range (SPC limits)"]
    assert len(texts) == 4
    # Flagged points: a separate diamond layer holding exactly the flagged months.
    diamonds = [(layer, rows) for m, layer, rows in layers
                if m == "point" and layer["mark"].get("shape") == "diamond"]
    assert len(diamonds) == 1
    flagged = diamonds[0][1]
    assert len(flagged) == 2 and all(r["flag"] for r in flagged)
    # Value points carry a tooltip naming the measure, with the flag note.
    value_points = [layer for m, layer, _ in layers if m == "point" and layer["mark"].get("shape") is None]
    titles = [t["title"] for t in value_points[0]["encoding"]["tooltip"]]
    assert titles == ["Month", "Re-referrals (%)", "Flag"]


def test_trend_chart_without_optional_columns_draws_only_the_line():
    frame = _series()[["period", "value"]]
    spec, layers = _layers(trend_chart(frame, "Steady"))
    assert [m for m, _, _ in layers] == ["line", "point"]


def test_trend_chart_target_may_be_a_column():
    frame = _series()
    frame["target"] = [20.0] * 10 + [22.0] * 5
    spec, layers = _layers(trend_chart(frame, "Target raised in February", target="target"))
    ref_rows = [rows for m, layer, rows in layers if m == "line" and "strokeDash" in layer["mark"]
                and layer["encoding"].get("color")]
    assert sorted({r["y"] for r in ref_rows[0]}) == [20.0, 22.0]


def test_trend_chart_names_missing_columns():
    with pytest.raises(KeyError, match="value"):
        trend_chart(pd.DataFrame({"period": []}), "x")


def test_direct_labels_are_pushed_apart_when_lines_are_close():
    # 22.0 and 22.4 on a 0-30 axis 260 px high are ~3.5 px apart: labels would overlap.
    offsets = charts._label_offsets([22.0, 22.4, 5.0], 0.0, 30.0, 260)
    pixels = [260 * (1 - v / 30) + d for v, d in zip([22.0, 22.4, 5.0], offsets)]
    assert abs(pixels[0] - pixels[1]) >= 13
    assert offsets[2] == 0  # a label far from the others stays on its line


def _resolved(spec):
    """A spec with each dataset reference replaced by its rows (names differ between altair
    and trend_spec; the data must not)."""
    datasets = spec.get("datasets", {})

    def walk(x):
        if isinstance(x, dict):
            if set(x) == {"name"} and x["name"] in datasets:
                return datasets[x["name"]]
            return {k: walk(v) for k, v in x.items() if k != "datasets"}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(spec)


@pytest.mark.parametrize("options", [
    {},
    {"target": 21.0, "benchmarks": {"England": 22.4, "Statistical neighbours": 23.1}, "subtitle": "Monthly"},
    {"target": "target", "zero": False, "value_format": ".1f", "value_label": "Re-referrals (%)"},
    {"target": (16.0, 22.0), "benchmarks": {"England": 19.0}},
])
def test_altair_reads_trend_spec_without_losing_anything(options):
    """trend_chart is altair's object parsed from trend_spec: a key altair does not know, or
    a value it coerces, would make the two differ (same layers, marks, data, labels)."""
    setup_altair()
    frame = _series()
    frame["target"] = [20.0] * 10 + [22.0] * 5
    frame.loc[6, "value"] = float("nan")  # a suppressed month: a gap, null in the data
    fast = charts.trend_spec(frame, "Re-referrals rose above target", **options)
    assert _resolved(fast.to_dict()) == _resolved(trend_chart(frame, "Re-referrals rose above target",
                                                              **options).to_dict())


def test_trend_spec_renders_through_altairs_renderer_and_keeps_reference_lines_small():
    setup_altair()
    frame = _series(36)
    chart = charts.trend_spec(frame, "Steady", target=21.0, benchmarks={"England": 22.4})
    bundle = chart._repr_mimebundle_()
    html = bundle["text/html"]
    assert 'id="altair-viz-' in html and "vegaEmbed(outputDiv, spec, embedOpt)" in html
    assert '"actions": false' in html and '"renderer": "svg"' in html
    refs = [layer for layer in chart.to_dict()["layer"] if layer["encoding"].get("detail")]
    rows = chart.to_dict()["datasets"][refs[0]["data"]["name"]]
    # A constant line needs its two ends, not 36 points.
    assert [(r["line"], r["y"]) for r in rows] == [("Target", 21.0)] * 2 + [("England", 22.4)] * 2


def test_a_target_range_is_two_orange_lines_and_benchmarks_keep_their_colours():
    spec = charts.trend_spec(_series(), "Caseloads within range", target=(16.0, 22.0),
                             benchmarks={"England": 19.0, "Statistical neighbours": 18.0}).to_dict()
    lines = next(layer for layer in spec["layer"] if layer["encoding"].get("detail"))
    scale = lines["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Target range top", "Target range bottom", "England", "Statistical neighbours"]
    assert scale["range"] == [charts.AF_ORANGE, charts.AF_ORANGE, charts.AF_TURQUOISE, charts.AF_DARK_PINK]
