"""Targets, tolerances and RAG ratings from ``params/targets/``.

Each authority's targets are ``params/targets/default.yaml`` overridden, measure by
measure, by ``params/targets/<authority>.yaml`` (the format is documented in
``params/targets/README.md``). Three schemes, as the seed scorecards use them:

``tolerance`` (Rotherham RO15)
    a target with an amber tolerance. Directional (polarity high or low): green when the
    value is on or better than ``target``; amber when on or better than ``amber`` (the
    worst value still amber); red otherwise; with no ``amber`` only green/red. A range
    target (``target_range: [low, high]``, or ``target`` with ``green_within``, as
    "+/-5 of 158.8"; ``amber_within`` or ``amber_within_pct`` for the amber margin;
    ``sides: both|above|below`` for which side of the range counts as off target, e.g.
    caseloads where only too many cases is a problem).
``bands`` (Sefton SF17, Cheshire East CE16)
    requires improvement / good / outstanding: ``ri``, ``good`` and ``outstanding`` are
    the worst value in each band (inclusive). A value worse than ``ri`` is
    'inadequate'; with no ``ri`` anything worse than ``good`` is 'ri'.
``mid50`` (Sefton SF24)
    the value's position against the middle 50% of all English authorities' latest
    published values (25th to 75th percentile from the benchmark summary): below, within
    or above, judged with the polarity (better -> green, within -> amber, worse -> red;
    polarity none gives the position only and no colour).

Every rule also has a ``period`` (which of the measure's values it judges: month, rolling
12 months, snapshot, ...), an optional ``similar_band`` for direction of travel, and an
optional ``owner`` and ``reporter`` (SO19).

A RAG rating is always given with words (``rag_label``), never colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from csc_workbench.config import params_dir
from csc_workbench.errors import ConfigError
from csc_workbench.measures.catalogue import PERIOD_TYPES, POLARITIES, MeasureDef
from csc_workbench.privacy import format_value

SCHEMES = ("tolerance", "bands", "mid50")
SIDES = ("both", "above", "below")
RAG_VALUES = ("red", "amber", "green", "inadequate", "ri", "good", "outstanding")
RAG_LABELS = {
    "green": "On target", "amber": "Within tolerance", "red": "Off target",
    "outstanding": "Outstanding", "good": "Good", "ri": "Requires improvement",
    "inadequate": "Inadequate",
}
DEFAULT_SIMILAR_BAND = 0.10
# Keys allowed under `defaults:`.
DEFAULT_KEYS = {"similar_band"}
COMMON_KEYS = {"scheme", "period", "polarity", "similar_band", "owner", "reporter", "target"}
SCHEME_KEYS = {
    "tolerance": COMMON_KEYS | {"amber", "target_range", "green_within", "amber_within",
                                "amber_within_pct", "sides"},
    "bands": COMMON_KEYS | {"ri", "good", "outstanding"},
    "mid50": COMMON_KEYS,
}
# Comparisons allow for floating-point noise (158.8 + 5 is 163.80000000000001).
EPS = 1e-9


@dataclass(frozen=True)
class TargetRule:
    """One measure's target as read from YAML (numbers in the measure's unit)."""

    measure: str
    scheme: str
    polarity: str  # the polarity the rule judges with (YAML override, else the catalogue's)
    unit: str = "number"
    period: str | None = None
    target: float | None = None
    amber: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    green_within: float = 0.0
    amber_within: float | None = None
    amber_within_pct: float | None = None
    sides: str = "both"
    ri: float | None = None
    good: float | None = None
    outstanding: float | None = None
    similar_band: float | None = None
    owner: str | None = None
    reporter: str | None = None
    source: str = ""

    @property
    def is_range(self) -> bool:
        return self.scheme == "tolerance" and self.range_low is not None

    def target_text(self) -> str:
        """The target as a scorecard shows it, e.g. '>= 86.0% (amber >= 83.0%)'."""
        f = lambda x: format_value(x, self.unit)  # noqa: E731
        better = "\u2265" if self.polarity == "high" else "\u2264"
        if self.scheme == "tolerance" and not self.is_range:
            text = f"{better} {f(self.target)}"
            return text + (f" (amber {better} {f(self.amber)})" if self.amber is not None else "")
        if self.scheme == "tolerance":
            if self.range_low == self.range_high:
                text = f"{f(self.range_low)}"
            else:
                text = f"{f(self.range_low)}\u2013{f(self.range_high)}"
            if self.green_within:
                text += f" \u00b1 {f(self.green_within)}"
            side = {"both": "\u00b1", "above": "+", "below": "\u2212"}[self.sides]
            if self.amber_within is not None:
                text += f" (amber {side} {f(self.amber_within)})"
            elif self.amber_within_pct is not None:
                text += f" (amber {side}{self.amber_within_pct:g}%)"
            if self.sides != "both":
                text += f", only {self.sides} counts"
            return text
        if self.scheme == "bands":
            parts = []
            if self.ri is not None:
                parts.append(f"RI {better} {f(self.ri)}")
            parts += [f"good {better} {f(self.good)}", f"outstanding {better} {f(self.outstanding)}"]
            text = ", ".join(parts)
            return text + (f"; target {f(self.target)}" if self.target is not None else "")
        text = "middle 50% of England"
        return text + (f"; target {f(self.target)}" if self.target is not None else "")


@dataclass
class Targets:
    """An authority's targets: one rule per measure that has one, plus defaults."""

    authority: str | None
    rules: dict[str, TargetRule] = field(default_factory=dict)
    similar_band: float = DEFAULT_SIMILAR_BAND
    files: tuple[str, ...] = ()

    def rule(self, measure: str) -> TargetRule | None:
        return self.rules.get(measure)

    def similar_band_for(self, measure: str) -> float:
        rule = self.rules.get(measure)
        if rule is not None and rule.similar_band is not None:
            return rule.similar_band
        return self.similar_band

    def frame(self) -> pd.DataFrame:
        """One row per rule with every threshold as a column, plus target_text."""
        cols = [f.name for f in fields(TargetRule)]
        rows = [asdict(r) | {"target_text": r.target_text()} for r in self.rules.values()]
        return pd.DataFrame(rows, columns=cols + ["target_text"])


# ---- reading and validating YAML ------------------------------------------------------

def _fail(file, key: str, problem: str):
    raise ConfigError(f"{Path(file).name}: {key}: {problem}")


def _number(file, key: str, value, *, non_negative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(file, key, f"must be a number, got {value!r}")
    if non_negative and value < 0:
        _fail(file, key, f"must not be negative, got {value!r}")
    return float(value)


def _parse_rule(file, measure: str, entry, defn: MeasureDef) -> TargetRule:
    where = f"measures.{measure}"
    if not isinstance(entry, dict):
        _fail(file, where, f"must be a mapping of settings, got {entry!r}")
    scheme = entry.get("scheme")
    if scheme not in SCHEMES:
        _fail(file, f"{where}.scheme", f"must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    unknown = sorted(set(entry) - SCHEME_KEYS[scheme])
    if unknown:
        _fail(file, f"{where}.{unknown[0]}",
              f"is not a setting of scheme {scheme!r} (allowed: {', '.join(sorted(SCHEME_KEYS[scheme]))})")
    polarity = entry.get("polarity", defn.polarity)
    if polarity not in POLARITIES:
        _fail(file, f"{where}.polarity", f"must be one of {', '.join(POLARITIES)}; got {polarity!r}")
    period = entry.get("period")
    if period is not None:
        if period not in PERIOD_TYPES:
            _fail(file, f"{where}.period", f"must be one of {', '.join(PERIOD_TYPES)}; got {period!r}")
        if period not in defn.periods:
            _fail(file, f"{where}.period",
                  f"{measure} is not computed for {period!r} (its periods: {', '.join(defn.periods)})")
    kw: dict = {"measure": measure, "scheme": scheme, "polarity": polarity, "unit": defn.unit,
                "period": period, "source": Path(file).name}
    for key in ("owner", "reporter"):
        if key in entry and entry[key] is not None:
            kw[key] = str(entry[key])
    if "similar_band" in entry:
        band = _number(file, f"{where}.similar_band", entry["similar_band"], non_negative=True)
        if band >= 1:
            _fail(file, f"{where}.similar_band", f"is a fraction (0.10 = 10%), got {band!r}")
        kw["similar_band"] = band
    if "target" in entry:
        kw["target"] = _number(file, f"{where}.target", entry["target"])

    if scheme == "tolerance":
        kw.update(_parse_tolerance(file, where, entry, polarity, kw.get("target")))
    elif scheme == "bands":
        kw.update(_parse_bands(file, where, entry, polarity))
    return TargetRule(**kw)


def _parse_tolerance(file, where, entry, polarity, target) -> dict:
    range_keys = {"target_range", "green_within", "amber_within", "amber_within_pct", "sides"}
    is_range = bool(range_keys & set(entry))
    if not is_range:
        if target is None:
            _fail(file, f"{where}.target", "is required for scheme 'tolerance' "
                  "(or give target_range for a range target)")
        if polarity not in ("high", "low"):
            _fail(file, where, f"a target with an amber tolerance needs polarity high or low, "
                  f"and this measure's is {polarity!r}: set polarity, or give a range target "
                  "(green_within / amber_within, or target_range)")
        out = {}
        if "amber" in entry:
            amber = _number(file, f"{where}.amber", entry["amber"])
            if (polarity == "high" and amber > target) or (polarity == "low" and amber < target):
                side = "at or below" if polarity == "high" else "at or above"
                _fail(file, f"{where}.amber", f"must be {side} the target {target:g} when "
                      f"{polarity} is good; got {amber:g}")
            out["amber"] = amber
        return out

    if "amber" in entry:
        _fail(file, f"{where}.amber", "cannot be used with a range target: use amber_within "
              "or amber_within_pct")
    out: dict = {}
    if "target_range" in entry:
        if target is not None:
            _fail(file, f"{where}.target", "give target or target_range, not both")
        rng = entry["target_range"]
        if not isinstance(rng, (list, tuple)) or len(rng) != 2:
            _fail(file, f"{where}.target_range", f"must be [low, high], got {rng!r}")
        low = _number(file, f"{where}.target_range", rng[0])
        high = _number(file, f"{where}.target_range", rng[1])
        if low > high:
            _fail(file, f"{where}.target_range", f"low {low:g} is above high {high:g}")
        out.update(range_low=low, range_high=high)
    elif target is None:
        _fail(file, f"{where}.target", "a range target needs target (with green_within) or target_range")
    else:
        out.update(range_low=target, range_high=target)
    green = _number(file, f"{where}.green_within", entry.get("green_within", 0), non_negative=True)
    out["green_within"] = green
    if "amber_within" in entry and "amber_within_pct" in entry:
        _fail(file, f"{where}.amber_within_pct", "give amber_within or amber_within_pct, not both")
    if "amber_within" in entry:
        amber_within = _number(file, f"{where}.amber_within", entry["amber_within"], non_negative=True)
        if amber_within < green:
            _fail(file, f"{where}.amber_within", f"must be at least green_within ({green:g}); "
                  f"got {amber_within:g}")
        out["amber_within"] = amber_within
    if "amber_within_pct" in entry:
        if green:
            _fail(file, f"{where}.amber_within_pct", "cannot be combined with green_within: "
                  "use amber_within")
        out["amber_within_pct"] = _number(file, f"{where}.amber_within_pct",
                                          entry["amber_within_pct"], non_negative=True)
    sides = entry.get("sides", "both")
    if sides not in SIDES:
        _fail(file, f"{where}.sides", f"must be one of {', '.join(SIDES)}; got {sides!r}")
    out["sides"] = sides
    return out


def _parse_bands(file, where, entry, polarity) -> dict:
    if polarity not in ("high", "low"):
        _fail(file, where, f"bands need polarity high or low, and this measure's is {polarity!r}: "
              "set polarity")
    out = {}
    for key in ("good", "outstanding"):
        if key not in entry:
            _fail(file, f"{where}.{key}", "is required for scheme 'bands'")
        out[key] = _number(file, f"{where}.{key}", entry[key])
    if "ri" in entry:
        out["ri"] = _number(file, f"{where}.ri", entry["ri"])
    order = [out.get("ri"), out["good"], out["outstanding"]]
    order = [x for x in order if x is not None]
    ok = all(a <= b for a, b in zip(order, order[1:])) if polarity == "high" else \
        all(a >= b for a, b in zip(order, order[1:]))
    if not ok:
        word = "rise" if polarity == "high" else "fall"
        _fail(file, where, f"bands must {word} from ri to good to outstanding when {polarity} "
              f"is good; got {', '.join(f'{x:g}' for x in order)}")
    return out


def read_targets_file(path: Path, catalogue: Mapping[str, MeasureDef]) -> tuple[dict, dict]:
    """Validate one targets YAML file: (defaults, {measure: TargetRule or None})."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{Path(path).name}: not valid YAML: {exc}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        _fail(path, "(top level)", "must be a mapping with 'defaults' and/or 'measures'")
    unknown = sorted(set(data) - {"defaults", "measures"})
    if unknown:
        _fail(path, unknown[0], "unknown top-level key (expected 'defaults' and 'measures')")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        _fail(path, "defaults", "must be a mapping")
    for key in defaults:
        if key not in DEFAULT_KEYS:
            _fail(path, f"defaults.{key}", f"unknown setting (allowed: {', '.join(sorted(DEFAULT_KEYS))})")
    if "similar_band" in defaults:
        band = _number(path, "defaults.similar_band", defaults["similar_band"], non_negative=True)
        if band >= 1:
            _fail(path, "defaults.similar_band", f"is a fraction (0.10 = 10%), got {band!r}")
        defaults = {**defaults, "similar_band": band}
    measures = data.get("measures") or {}
    if not isinstance(measures, dict):
        _fail(path, "measures", "must be a mapping of measure id to settings")
    rules: dict = {}
    for measure, entry in measures.items():
        if measure not in catalogue:
            _fail(path, f"measures.{measure}", "unknown measure id (not in the measure catalogue)")
        # `measure: null` in an authority file removes the default target.
        rules[measure] = None if entry is None else _parse_rule(path, measure, entry, catalogue[measure])
    return defaults, rules


def load_targets(authority: str | None = None, catalogue: Mapping[str, MeasureDef] | None = None,
                 directory: str | Path | None = None) -> Targets:
    """default.yaml overridden measure by measure by <authority>.yaml (if present).

    ``catalogue`` defaults to the measure catalogue with the manual measures registered.
    ``directory`` defaults to ``params/targets``. An authority file replaces a measure's
    whole entry (so a scheme is never half default, half local); ``measure: null`` removes
    a default target.
    """
    if catalogue is None:
        from csc_workbench.assessment.manual import catalogue_with_manual
        catalogue = catalogue_with_manual()
    directory = Path(directory) if directory is not None else params_dir() / "targets"
    paths = [directory / "default.yaml"]
    if authority:
        paths.append(directory / f"{authority}.yaml")
    defaults: dict = {}
    rules: dict = {}
    used = []
    for path in paths:
        if not path.is_file():
            continue
        file_defaults, file_rules = read_targets_file(path, catalogue)
        defaults.update(file_defaults)
        rules.update(file_rules)
        used.append(path.name)
    rules = {m: r for m, r in rules.items() if r is not None}
    return Targets(authority=authority, rules=rules,
                   similar_band=defaults.get("similar_band", DEFAULT_SIMILAR_BAND),
                   files=tuple(used))


# ---- RAG ------------------------------------------------------------------------------

RAG_COLUMNS = ["rag", "rag_label", "rag_scheme", "rag_position", "target", "target_low",
               "target_high", "target_text"]


def evaluate_rag(measures, values, targets: Targets | None,
                 benchmark_summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """RAG for each (measure, value) pair, vectorised over rows.

    Returns a frame aligned with the input (same length, default index) with ``RAG_COLUMNS``:
    rag (red/amber/green/inadequate/ri/good/outstanding or None), rag_label (words),
    rag_scheme, rag_position (mid50 only: below/within/above), target (a point target, or a
    band scheme's year-end target), target_low / target_high (a range target), target_text.
    ``benchmark_summary`` supplies england_p25 / england_p75 for the mid50 scheme.
    """
    measures = pd.Series(np.asarray(measures, dtype=object))
    v = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    n = len(measures)
    out = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in RAG_COLUMNS})
    for c in ("target", "target_low", "target_high"):
        out[c] = np.nan
    if targets is None or not targets.rules or n == 0:
        return out
    rules = targets.frame().set_index("measure")
    if benchmark_summary is not None and {"england_p25", "england_p75"} <= set(benchmark_summary.columns):
        bench = benchmark_summary.drop_duplicates("measure", keep="last").set_index("measure")
        rules = rules.join(bench[["england_p25", "england_p75"]], how="left")
    else:
        rules["england_p25"] = np.nan
        rules["england_p75"] = np.nan
    r = rules.reindex(measures.to_numpy())

    def col(name):
        return pd.to_numeric(r[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)

    scheme = r["scheme"].to_numpy(dtype=object)
    pol = r["polarity"].to_numpy(dtype=object)
    high, low = pol == "high", pol == "low"
    has_value = ~np.isnan(v)
    rag = np.full(n, None, dtype=object)
    position = np.full(n, None, dtype=object)

    # tolerance, directional: on or better than target green; on or better than amber amber.
    target, amber = col("target"), col("amber")
    lo, hi = col("range_low"), col("range_high")
    point = (scheme == "tolerance") & np.isnan(lo) & has_value
    better_t = np.where(high, v >= target - EPS, v <= target + EPS)
    better_a = np.where(high, v >= amber - EPS, v <= amber + EPS) & ~np.isnan(amber)
    rag[point] = np.where(better_t, "green", np.where(better_a, "amber", "red"))[point]

    # tolerance, range: distance outside [low, high], on the sides that count.
    rng = (scheme == "tolerance") & ~np.isnan(lo) & has_value
    sides = r["sides"].to_numpy(dtype=object)
    above = np.where(sides == "below", 0.0, np.maximum(v - hi, 0.0))
    below = np.where(sides == "above", 0.0, np.maximum(lo - v, 0.0))
    green_w = np.nan_to_num(col("green_within"))
    aw, awp = col("amber_within"), col("amber_within_pct")
    amber_hi = np.where(~np.isnan(aw), aw, np.abs(hi) * awp / 100)
    amber_lo = np.where(~np.isnan(aw), aw, np.abs(lo) * awp / 100)
    tol = EPS * np.maximum(1.0, np.abs(np.nan_to_num(hi)))
    in_green = (above <= green_w + tol) & (below <= green_w + tol)
    in_amber = (above <= amber_hi + tol) & (below <= amber_lo + tol)  # NaN margin -> False
    rag[rng] = np.where(in_green, "green", np.where(in_amber, "amber", "red"))[rng]

    # bands: the worst value of each band is inclusive.
    bands = (scheme == "bands") & has_value
    ri, good, outst = col("ri"), col("good"), col("outstanding")
    at_least = lambda bound: np.where(high, v >= bound - EPS, v <= bound + EPS)  # noqa: E731
    band = np.where(at_least(outst), "outstanding", np.where(
        at_least(good), "good", np.where(np.isnan(ri) | at_least(ri), "ri", "inadequate")))
    rag[bands] = band[bands]

    # mid50: position against England's 25th-75th percentile, judged with polarity.
    p25, p75 = col("england_p25"), col("england_p75")
    mid = (scheme == "mid50") & has_value & ~np.isnan(p25) & ~np.isnan(p75)
    pos = np.where(v < p25 - EPS, "below", np.where(v > p75 + EPS, "above", "within"))
    position[mid] = pos[mid]
    judged = np.where(pos == "within", "amber",
                      np.where((pos == "above") == high, "green", "red"))
    rag[mid & (high | low)] = judged[mid & (high | low)]

    label = np.array([RAG_LABELS.get(x, "") if x is not None else "" for x in rag], dtype=object)
    mid_words = {"better": "Better than the middle 50% of England",
                 "worse": "Worse than the middle 50% of England",
                 "within": "Within the middle 50% of England",
                 "above": "Above the middle 50% of England",
                 "below": "Below the middle 50% of England"}
    for i in np.flatnonzero(mid):
        if position[i] == "within":
            label[i] = mid_words["within"]
        elif high[i] or low[i]:
            label[i] = mid_words["better" if rag[i] == "green" else "worse"]
        else:
            label[i] = mid_words[position[i]]
    no_bench = (scheme == "mid50") & has_value & ~mid
    label[no_bench] = "No England benchmark"

    none = pd.isna(r["scheme"]).to_numpy()  # measures without a rule: no scheme, no text
    scheme_out = np.where(none, None, r["scheme"].to_numpy(dtype=object))
    text_out = np.where(none, None, r["target_text"].to_numpy(dtype=object))
    # object dtype keeps None as None (pandas 3 would otherwise infer str with NaN).
    for name, arr in (("rag", rag), ("rag_label", label), ("rag_scheme", scheme_out),
                      ("rag_position", position), ("target_text", text_out)):
        out[name] = pd.Series(arr, dtype=object)
    out["target"] = np.where(np.isnan(lo), target, np.where(lo == hi, lo, np.nan))
    out["target_low"] = np.where(lo != hi, lo, np.nan)
    out["target_high"] = np.where(lo != hi, hi, np.nan)
    return out
