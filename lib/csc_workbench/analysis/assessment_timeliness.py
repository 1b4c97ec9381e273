"""Assessment timeliness: the deep dive behind ``assessment_45wd_pct`` and
``assessment_bands``.

Durations, bands and "within N working days" are the measures' own: ``assessment_history``
takes the per-assessment frame of ``measures.assessment`` (clock start, working days,
validity, duration band, the within-15/35/45 flags), so the totals here are the
scorecard's figures for the same window. Working days follow ``calendar``: the start day
is not counted, weekends and England and Wales bank holidays are not working days.

What the deep dive adds:

* the distribution of working days and the Southampton bands (0-10, 11-25, 26-35,
  36-45, over 45) with the within-15/35/45 shares, by team and worker;
* seasonality: the share within 45 working days by month of the year, one line per
  financial year (summer and Christmas dips show as a pattern, not a surprise);
* open assessments at the month end with the working days so far, the due date (45
  working days after the start, ``calendar.add_working_days``) and the working days left;
  an assessment is *at risk* from 35 working days and *overdue* past 45 (the
  ``assessments_open_over_45wd`` measure counts the overdue ones);
* referral to assessment start, in working days (the referral each assessment belongs
  to, found as the measures find it: by referral id, else the child's latest referral on
  or before the start).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..calendar import add_working_days, financial_year, working_days_between
from ..measures import assessment as am
from ..measures.derived import link_to_referral
from ..measures.grid import days
from ..model.dataset import Dataset
from .base import Window, authority_context, decode, month_end_of, share, team_names, worker_names

TABLES = ("assessments", "referrals", "teams", "workers")
LIMIT = 45
RISK_FROM = 35
BAND_LABELS = tuple(label for _, _, label in am.DURATION_BANDS)
REFERRAL_BANDS = ((0, 0, "same day"), (1, 1, "1"), (2, 5, "2-5"), (6, 10, "6-10"), (11, 20, "11-20"),
                  (21, 10**6, "over 20"))
OPEN_STATUSES = ("overdue", "at risk", "on track")
MONTH_ORDER = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


@dataclass
class AssessmentHistory:
    """Every assessment of one authority with the measures' timeliness fields (see
    ``assessment_history``), the first month the data covers fully, team and worker names."""

    authority: str
    assessments: pd.DataFrame
    data_from: pd.Timestamp
    teams: dict
    workers: dict
    clock: str  # "start" or "referral": what the durations are timed from


def assessment_history(ds: Dataset, month: str | None = None, options: dict | None = None) -> AssessmentHistory:
    """One row per assessment, in the order of the assessments table.

    Columns: child_id, assessment_id, start_date, authorised_date, clock_start (the start,
    or the referral date with option ``assessment_clock='referral'``), working_days (clock
    start to authorisation), valid (False: authorised before the clock start, a
    data-quality error left out of every figure), duration_band, within_15, within_35,
    within_45 (the measures' numerators), team_id, worker_id, referral_date,
    referral_to_start (working days from the referral to the assessment start; NaN where
    no referral is found).
    """
    ctx = authority_context(ds, month, options)
    a = ctx.table("assessments")
    done = am._completed(ctx)
    flags = {n: am._within(ctx, n).frame["num"].to_numpy(dtype=bool) for n in (15, 35, 45)}
    band = am.assessment_bands(ctx).frame["duration_band"]
    if not (len(done) == len(a) == len(band)):  # the measures' frames must stay aligned
        raise AssertionError("assessment measures are no longer aligned with the assessments table")
    start = days(a["start_date"])
    ref = link_to_referral(ctx, a, "start_date")["referral_date"].to_numpy().astype("datetime64[D]")
    frame = pd.DataFrame({
        "child_id": decode(ctx, "child_id", a["child_id"].to_numpy()),
        "assessment_id": a["assessment_id"].to_numpy(dtype=object),
        "start_date": start.astype("datetime64[us]"),
        "authorised_date": done["date"].to_numpy().astype("datetime64[D]").astype("datetime64[us]"),
        "clock_start": done["start"].to_numpy().astype("datetime64[D]").astype("datetime64[us]"),
        "working_days": done["wd"].to_numpy(dtype=float),
        "valid": done["valid"].to_numpy(dtype=bool),
        "duration_band": band.to_numpy(),
        **{f"within_{n}": v for n, v in flags.items()},
        "team_id": decode(ctx, "team_id", a["team_id"].to_numpy()),
        "worker_id": decode(ctx, "worker_id", a["worker_id"].to_numpy()),
        "referral_date": ref.astype("datetime64[us]"),
        "referral_to_start": working_days_between(ref, start),
    })
    frame["duration_band"] = pd.Categorical(frame["duration_band"], categories=list(BAND_LABELS))
    return AssessmentHistory(ctx.authority, frame, pd.Timestamp(ctx.grid.first_day), team_names(ds),
                             worker_names(ds), ctx.option("assessment_clock"))


def load_assessment_history(warehouse, authority: str, month: str | None = None,
                            options: dict | None = None) -> AssessmentHistory:
    """``assessment_history`` for one authority read from the warehouse."""
    from .base import load_authority

    return assessment_history(load_authority(warehouse, authority, TABLES), month, options)


# ---- completed in a window -------------------------------------------------------------

def completed_in(h: AssessmentHistory, win: Window) -> pd.DataFrame:
    """Assessments authorised in the window with a valid duration (the measures' rows)."""
    a = h.assessments
    return a[win.contains(a["authorised_date"].to_numpy()) & a["valid"].to_numpy()]


def timeliness_summary(h: AssessmentHistory, win: Window) -> dict:
    """Completed in the window: completed, within_15/35/45 (counts and pct), over_45,
    median and 90th percentile of working days, and ``left_out`` (authorised before the
    clock start: data-quality errors)."""
    a = h.assessments
    authorised = win.contains(a["authorised_date"].to_numpy())
    c = a[authorised & a["valid"].to_numpy()]
    n = len(c)
    wd = c["working_days"].to_numpy(dtype=float)
    out = {"window": win.label, "completed": n, "left_out": int((authorised & ~a["valid"].to_numpy()).sum()),
           "median_wd": float(np.median(wd)) if n else np.nan,
           "p90_wd": float(np.percentile(wd, 90)) if n else np.nan}
    for limit in (15, 35, 45):
        k = int(c[f"within_{limit}"].sum())
        out[f"within_{limit}"] = k
        out[f"pct_{limit}"] = float(share(k, n))
    out["over_45"] = n - out["within_45"]
    out["pct_over_45"] = float(share(out["over_45"], n))
    return out


def duration_bands(h: AssessmentHistory, win: Window) -> pd.DataFrame:
    """The Southampton bands for assessments completed in the window (every band, zeros
    kept): band, assessments, pct (of completed)."""
    c = completed_in(h, win)
    counts = c["duration_band"].value_counts().reindex(list(BAND_LABELS), fill_value=0)
    return pd.DataFrame({"band": list(BAND_LABELS), "assessments": counts.to_numpy(dtype=np.int64),
                         "pct": share(counts.to_numpy(), len(c))})


def duration_distribution(h: AssessmentHistory, win: Window, bin_width: int = 1, cap: int = 65) -> pd.DataFrame:
    """Assessments completed in the window by working days taken: 0 (same day) on its
    own, then bins of ``bin_width`` days from 1 (so 5-day bins 1-5, 6-10, ... line up with
    the Southampton bands), the last bin everything over ``cap`` (a multiple of
    ``bin_width``). Columns wd_from, wd_to (NaN for the last bin), label, band (the
    Southampton band the bin falls in), assessments. Every bin is listed."""
    if bin_width < 1 or cap < bin_width or cap % bin_width:
        raise ValueError("bin_width must be at least 1 and cap a multiple of it")
    c = completed_in(h, win)
    wd = c["working_days"].to_numpy(dtype=float)
    n_bins = 1 + cap // bin_width  # 0, then the bins up to cap
    idx = np.where(wd <= 0, 0, 1 + (wd - 1) // bin_width).astype(np.int64)
    idx[wd > cap] = n_bins
    counts = np.bincount(idx, minlength=n_bins + 1)
    lo = np.concatenate([[0.0], 1.0 + bin_width * np.arange(n_bins - 1), [cap + 1.0]])
    hi = np.concatenate([[0.0], bin_width * np.arange(1, n_bins, dtype=float), [np.nan]])
    labels = [f"{int(a)}" if a == b else f"{int(a)}-{int(b)}" for a, b in zip(lo[:-1], hi[:-1])] + [f"over {cap}"]
    band = np.full(len(lo), BAND_LABELS[-1], dtype=object)
    for b_lo, b_hi, label in reversed(am.DURATION_BANDS):
        band[(lo >= b_lo) & (lo <= b_hi)] = label
    return pd.DataFrame({"wd_from": lo, "wd_to": hi, "label": labels, "band": band,
                         "assessments": counts.astype(np.int64)})


def timeliness_by(h: AssessmentHistory, win: Window, by: str = "team") -> pd.DataFrame:
    """Assessments completed in the window by team (``by='team'``) or worker: id, name,
    completed, within_45, pct_45, median_wd, one count column per band; most completed
    first. No team (worker) recorded -> one 'not recorded' row."""
    col = {"team": "team_id", "worker": "worker_id"}.get(by)
    if col is None:
        raise ValueError("by must be 'team' or 'worker'")
    c = completed_in(h, win)
    key = c[col].astype("object").where(c[col].notna(), "").to_numpy(dtype=object)
    f = pd.DataFrame({"k": key, "w45": c["within_45"].to_numpy(), "wd": c["working_days"].to_numpy(dtype=float),
                      "band": c["duration_band"].to_numpy()})
    g = f.groupby("k", sort=True)
    out = pd.DataFrame({"completed": g.size(), "within_45": g["w45"].sum(), "median_wd": g["wd"].median()})
    bands = pd.crosstab(f["k"], pd.Categorical(f["band"], categories=list(BAND_LABELS)), dropna=False)
    out = out.join(bands.reindex(columns=list(BAND_LABELS), fill_value=0)).rename_axis(col).reset_index()
    names = h.teams if by == "team" else h.workers
    out[by] = out[col].map(lambda k: names.get(k, k) if k else "not recorded")
    out[col] = out[col].replace("", None)
    out["pct_45"] = share(out["within_45"], out["completed"])
    out = out.astype({"completed": "int64", "within_45": "int64", **{b: "int64" for b in BAND_LABELS}})
    out = out.sort_values(["completed", by], ascending=[False, True], kind="stable")
    return out[[col, by, "completed", "within_45", "pct_45", "median_wd", *BAND_LABELS]].reset_index(drop=True)


def seasonality(h: AssessmentHistory, month: str, years: int = 3) -> pd.DataFrame:
    """Assessments completed by financial year and month of the year, for the ``years``
    financial years to ``month`` (months the data covers fully, up to ``month``):
    year (e.g. '2024-25'), month_name ('Apr'..'Mar'), month_pos (1 = April), period_end,
    completed, within_45, pct_45."""
    a = h.assessments
    end = pd.Period(month, "M").to_timestamp(how="end").normalize()
    fy_end = int(financial_year(pd.Series([end]))[0])
    first = max(pd.Timestamp(fy_end - years, 4, 1), h.data_from)
    done = a["valid"].to_numpy() & ~pd.isna(a["authorised_date"]).to_numpy()
    d = a["authorised_date"].to_numpy().astype("datetime64[D]")
    keep = done & (d >= np.datetime64(first.date())) & (d <= np.datetime64(end.date()))
    me = month_end_of(d[keep]).astype("datetime64[us]")
    g = pd.DataFrame({"m": me, "w": a["within_45"].to_numpy()[keep]}).groupby("m").agg(
        completed=("w", "size"), within_45=("w", "sum"))
    ends = pd.period_range(pd.Period(first, "M"), pd.Period(end, "M"), freq="M").to_timestamp(how="end").normalize()
    g = g.reindex(ends, fill_value=0).astype("int64")
    fy = financial_year(pd.Series(ends)).astype(int)
    out = pd.DataFrame({
        "year": [f"{y - 1}-{str(y)[-2:]}" for y in fy],
        "month_name": ends.strftime("%b"), "month_pos": ((ends.month - 4) % 12 + 1).astype("int64"),
        "period_end": ends, "completed": g["completed"].to_numpy(), "within_45": g["within_45"].to_numpy(),
    })
    out["pct_45"] = share(out["within_45"], out["completed"])
    return out


def seasonal_profile(season: pd.DataFrame) -> pd.DataFrame:
    """The months of the year pooled over the years in ``seasonality``: month_name,
    month_pos, years (how many years hold that month), completed, within_45, pct_45
    (pooled: all within / all completed), diff (percentage points from the all-months
    share)."""
    g = season.groupby(["month_pos", "month_name"], sort=True).agg(
        years=("year", "nunique"), completed=("completed", "sum"), within_45=("within_45", "sum")).reset_index()
    g["pct_45"] = share(g["within_45"], g["completed"])
    overall = float(share(g["within_45"].sum(), g["completed"].sum()))
    g["diff"] = g["pct_45"] - overall
    return g


# ---- open at the month end --------------------------------------------------------------

def open_assessments(h: AssessmentHistory, month: str, risk_from: int = RISK_FROM,
                     limit: int = LIMIT) -> pd.DataFrame:
    """Assessments open at the end of ``month`` (started on or before it, not authorised
    by it; one authorised on the month end is no longer open), as the
    ``assessments_open_over_45wd`` measure sees them: child_id, assessment_id, start_date,
    working_days_so_far (start to month end, start not counted), due_date (``limit``
    working days after the start), working_days_left (month end to due date; negative
    once overdue), status ('overdue' past ``limit``, 'at risk' from ``risk_from``,
    'on track'), team_id, worker_id. Most urgent first."""
    a = h.assessments
    t = np.datetime64(pd.Period(month, "M").to_timestamp(how="end").date(), "D")
    start = a["start_date"].to_numpy().astype("datetime64[D]")
    auth = a["authorised_date"].to_numpy().astype("datetime64[D]")
    is_open = ~np.isnat(start) & (start <= t) & (np.isnat(auth) | (auth > t))
    o = a[is_open]
    s = start[is_open]
    so_far = working_days_between(s, np.full(len(s), t))
    due = add_working_days(s, limit).astype("datetime64[D]")
    left = working_days_between(np.full(len(s), t), due)
    status = np.where(so_far > limit, "overdue", np.where(so_far >= risk_from, "at risk", "on track"))
    out = pd.DataFrame({
        "child_id": o["child_id"].to_numpy(dtype=object), "assessment_id": o["assessment_id"].to_numpy(dtype=object),
        "start_date": o["start_date"].to_numpy(), "working_days_so_far": so_far,
        "due_date": due.astype("datetime64[us]"), "working_days_left": left,
        "status": pd.Categorical(status, categories=list(OPEN_STATUSES)),
        "team_id": o["team_id"].to_numpy(dtype=object), "worker_id": o["worker_id"].to_numpy(dtype=object),
    })
    out["team"] = out["team_id"].map(lambda k: h.teams.get(k, k) if k is not None else "not recorded")
    out["worker"] = out["worker_id"].map(lambda k: h.workers.get(k, k) if k is not None else "not recorded")
    return out.sort_values(["working_days_left", "start_date"], kind="stable").reset_index(drop=True)


def open_summary(open_frame: pd.DataFrame) -> pd.DataFrame:
    """Open assessments by status (every status, zeros kept): status, assessments."""
    counts = open_frame["status"].value_counts().reindex(list(OPEN_STATUSES), fill_value=0)
    return pd.DataFrame({"status": list(OPEN_STATUSES), "assessments": counts.to_numpy(dtype=np.int64)})


def open_by_team(open_frame: pd.DataFrame) -> pd.DataFrame:
    """Open assessments by team: team_id, team, open, at_risk, overdue; most overdue first."""
    f = pd.DataFrame({"team": open_frame["team"].to_numpy(dtype=object),
                      "team_id": open_frame["team_id"].to_numpy(dtype=object),
                      "at_risk": (open_frame["status"] == "at risk").to_numpy(),
                      "overdue": (open_frame["status"] == "overdue").to_numpy()})
    g = f.groupby("team", sort=True)
    out = pd.DataFrame({"team_id": g["team_id"].first(), "open": g.size(), "at_risk": g["at_risk"].sum(),
                        "overdue": g["overdue"].sum()}).reset_index()
    out = out.astype({"open": "int64", "at_risk": "int64", "overdue": "int64"})
    return out.sort_values(["overdue", "at_risk", "team"], ascending=[False, False, True], kind="stable")[
        ["team_id", "team", "open", "at_risk", "overdue"]].reset_index(drop=True)


# ---- referral to assessment start -------------------------------------------------------

def referral_to_start(h: AssessmentHistory, win: Window) -> tuple[dict, pd.DataFrame]:
    """Assessments started in the window with their referral found: a summary (started,
    linked, no_referral, before_referral (start before the referral: a data-quality
    error), median_wd, within_10 and pct_10) and the bands (band, assessments, pct)."""
    a = h.assessments
    started = win.contains(a["start_date"].to_numpy())
    wd = a["referral_to_start"].to_numpy(dtype=float)
    linked = started & ~np.isnan(wd)
    before = linked & (wd < 0)
    ok = linked & ~before
    v = wd[ok]
    band = np.full(len(v), "", dtype=object)
    for lo, hi, label in REFERRAL_BANDS:
        band[(v >= lo) & (v <= hi)] = label
    labels = [label for _, _, label in REFERRAL_BANDS]
    counts = pd.Series(band).value_counts().reindex(labels, fill_value=0).to_numpy(dtype=np.int64)
    within_10 = int((v <= 10).sum())
    summary = {"window": win.label, "started": int(started.sum()), "linked": int(ok.sum()),
               "no_referral": int((started & np.isnan(wd)).sum()), "before_referral": int(before.sum()),
               "median_wd": float(np.median(v)) if len(v) else np.nan,
               "within_10": within_10, "pct_10": float(share(within_10, len(v)))}
    return summary, pd.DataFrame({"band": labels, "assessments": counts, "pct": share(counts, len(v))})


def referral_to_start_by_team(h: AssessmentHistory, win: Window) -> pd.DataFrame:
    """Assessments started in the window (referral found, not before it) by team:
    team_id, team, started, median_wd, within_10, pct_10."""
    a = h.assessments
    wd = a["referral_to_start"].to_numpy(dtype=float)
    ok = win.contains(a["start_date"].to_numpy()) & ~np.isnan(wd) & (np.nan_to_num(wd, nan=-1) >= 0)
    key = a["team_id"].astype("object").where(a["team_id"].notna(), "").to_numpy(dtype=object)[ok]
    f = pd.DataFrame({"k": key, "wd": wd[ok], "w10": wd[ok] <= 10})
    g = f.groupby("k", sort=True)
    out = pd.DataFrame({"started": g.size(), "median_wd": g["wd"].median(), "within_10": g["w10"].sum()})
    out = out.rename_axis("team_id").reset_index()
    out["team"] = out["team_id"].map(lambda k: h.teams.get(k, k) if k else "not recorded")
    out["team_id"] = out["team_id"].replace("", None)
    out["pct_10"] = share(out["within_10"], out["started"])
    out = out.astype({"started": "int64", "within_10": "int64"})
    return out.sort_values(["started", "team"], ascending=[False, True], kind="stable")[
        ["team_id", "team", "started", "median_wd", "within_10", "pct_10"]].reset_index(drop=True)
