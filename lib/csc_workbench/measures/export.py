"""The tidy measures table as CSV, JSON and an Excel scorecard, and the ``cscw measures``
command behind them.

CSV and JSON keep exactly the tidy columns (``TIDY_COLUMNS``). The XLSX is the scorecard a
performance team pastes into a board paper: one row per measure grouped by area, a column
per period (month, quarter to date, year to date, rolling 6 and 12 months, at the month
end), percentages as percentages, with the definition and what it tells us; then the
breakdowns, the definitions and the tidy table itself.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import parse_month
from ..errors import ConfigError
from .catalogue import AREA_TITLES, AREAS, PERIOD_TYPES, TIDY_COLUMNS, TOTAL
from .engine import catalogue

FORMATS = ("csv", "xlsx", "json")
SCORECARD_PERIODS = (("month", "Month"), ("quarter", "Quarter to date"), ("ytd", "Year to date"),
                     ("rolling_6m", "Rolling 6 months"), ("rolling_12m", "Rolling 12 months"),
                     ("snapshot", "At month end"))
POLARITY_TEXT = {"high": "Higher", "low": "Lower", "none": "Context", "range": "Within range"}
# Measures whose total row is all records (100%): the scorecard points to their breakdown.
SHARE_ONLY = {"assessment_bands": "duration_band", "assessment_outcome_pct": "outcome",
              "cpp_category_pct": "category", "cla_placement_mix_pct": "placement_type"}
UNIT_TEXT = {"count": "Number", "pct": "%", "rate": "Per 10,000 children", "days": "Days (average)",
             "number": "Number"}


def tidy_for_output(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[TIDY_COLUMNS].copy()
    out["period_end"] = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
    return out


def to_csv(frame: pd.DataFrame) -> str:
    return tidy_for_output(frame).to_csv(index=False, lineterminator="\n")


def to_json(frame: pd.DataFrame) -> str:
    out = tidy_for_output(frame)
    records = out.astype(object).where(out.notna(), None).to_dict(orient="records")
    return json.dumps(records, indent=1, default=str)


def scorecard_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per measure (totals), a column per period type, in catalogue order."""
    cat = catalogue()
    totals = frame[frame["breakdown"] == TOTAL]
    wide = totals.pivot_table(index="measure", columns="period_type", values="value", aggfunc="first",
                              dropna=False)
    status = totals.groupby("measure")["status"].agg(lambda s: "not_available" if (s == "not_available").all()
                                                     else "ok")
    notes = totals.groupby("measure")["note"].agg(lambda s: "; ".join(sorted({n for n in s.dropna() if n})))
    rows = []
    ordered = sorted(cat.items(), key=lambda kv: AREAS.index(kv[1].area))  # stable: keeps order in an area
    for mid, d in ordered:
        if mid not in status.index:
            continue
        r = {"area": AREA_TITLES[d.area], "measure": d.title, "id": mid, "unit": UNIT_TEXT[d.unit],
             "good": POLARITY_TEXT[d.polarity], "_unit": d.unit}
        for p, label in SCORECARD_PERIODS:
            shown = mid in wide.index and p in wide.columns and mid not in SHARE_ONLY
            r[label] = wide.loc[mid, p] if shown else np.nan
        r["status"] = status[mid]
        r["notes"] = notes.get(mid, "")
        if mid in SHARE_ONLY:
            r["notes"] = f"shares by {SHARE_ONLY[mid].replace('_', ' ')}: see the Breakdowns sheet"
        r["definition"] = d.definition
        r["what it tells us"] = d.tells_us
        rows.append(r)
    return pd.DataFrame(rows)


def write_scorecard_xlsx(frame: pd.DataFrame, path: str | Path, authority: str, month: str) -> Path:
    """The scorecard workbook: Scorecard, Breakdowns, Definitions and Tidy sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    card = scorecard_table(frame)
    wb = Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    end = parse_month(month)
    ws["A1"] = f"Children's social care scorecard: {authority}, {end:%B %Y}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("Internal: small numbers are not suppressed. Flow measures are counted over each period; "
                "stock measures at the month end. Rates per 10,000 children are annualised.")
    ws["A2"].font = Font(italic=True, size=9)
    headers = ["Measure", "Unit", "Good is"] + [label for _, label in SCORECARD_PERIODS] + ["Notes", "Measure id"]
    header_row = 4
    for j, h in enumerate(headers, start=1):
        c = ws.cell(row=header_row, column=j, value=h)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F4E79")
        c.alignment = Alignment(wrap_text=True, vertical="center")
    r = header_row + 1
    area_fill = PatternFill("solid", fgColor="D9E1F2")
    formats = {"pct": "0.0%", "rate": "0.0", "count": "#,##0", "days": "#,##0", "number": "0.0"}
    for area, group in card.groupby("area", sort=False):
        ws.cell(row=r, column=1, value=area).font = Font(bold=True)
        for j in range(1, len(headers) + 1):
            ws.cell(row=r, column=j).fill = area_fill
        r += 1
        for rec in group.to_dict(orient="records"):
            ws.cell(row=r, column=1, value=rec["measure"])
            ws.cell(row=r, column=2, value=rec["unit"])
            ws.cell(row=r, column=3, value=rec["good"])
            for j, (_, label) in enumerate(SCORECARD_PERIODS, start=4):
                v = rec[label]
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    continue
                cell = ws.cell(row=r, column=j, value=float(v) / 100 if rec["_unit"] == "pct" else float(v))
                cell.number_format = formats[rec["_unit"]]
            note = rec["notes"] or ("not available" if rec["status"] == "not_available" else "")
            ws.cell(row=r, column=len(SCORECARD_PERIODS) + 4, value=note)
            ws.cell(row=r, column=len(SCORECARD_PERIODS) + 5, value=rec["id"])
            r += 1
    widths = [52, 18, 12] + [13] * len(SCORECARD_PERIODS) + [60, 28]
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)

    def sheet(title: str, data: pd.DataFrame) -> None:
        s = wb.create_sheet(title)
        s.append(list(data.columns))
        for c in s[1]:
            c.font = Font(bold=True)
        for rec in data.itertuples(index=False):
            s.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in rec])
        for j, col in enumerate(data.columns, start=1):
            s.column_dimensions[get_column_letter(j)].width = min(60, max(12, len(str(col)) + 2))
        s.freeze_panes = "A2"

    breakdowns = frame[frame["breakdown"] != TOTAL]
    sheet("Breakdowns", tidy_for_output(breakdowns))
    sheet("Definitions", card[["area", "id", "measure", "unit", "good", "definition", "what it tells us"]])
    sheet("Tidy", tidy_for_output(frame))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def measures_report(authority: str, month: str, period: str | None = None, warehouse: str | Path | None = None
                    ) -> pd.DataFrame:
    """The stored measures for one authority-month (computed first if the data changed)."""
    from .store import ensure_measures, read_measures

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ConfigError(f"--month must look like YYYY-MM, got {month!r}")
    if period is not None and period not in PERIOD_TYPES:
        raise ConfigError(f"--period must be one of {', '.join(PERIOD_TYPES)}, got {period!r}")
    try:
        ensure_measures(authority, warehouse)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    out = read_measures(authority, warehouse, month=month, period_type=period)
    if out.empty:
        span = read_measures(authority, warehouse)
        if span.empty:
            raise ConfigError(f"no measures for {authority}: its data has no dated events")
        first, last = span["period_end"].min(), span["period_end"].max()
        raise ConfigError(f"no data for {authority} in {month}: its measures run from {first:%Y-%m} to {last:%Y-%m}")
    return out


def run_measures_command(authority: str | None, month: str | None, period: str | None, fmt: str,
                         output: Path | None, warehouse: Path | None, list_measures: bool = False) -> str | None:
    """What ``cscw measures`` does; returns text to print (None when written to a file)."""
    if list_measures:
        cat = catalogue()
        buf = io.StringIO()
        for mid, d in cat.items():
            buf.write(f"{mid}\t{d.unit}\t{d.kind}\t{d.title}\n")
        return buf.getvalue()
    if not authority or not month:
        raise ConfigError("cscw measures needs --authority CODE and --month YYYY-MM (or --list)")
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "xlsx" and output is None:
        raise ConfigError("--format xlsx needs --output FILE.xlsx")
    frame = measures_report(authority, month, period, warehouse)
    if fmt == "xlsx":
        write_scorecard_xlsx(frame, output, authority, month)
        return None
    text = to_csv(frame) if fmt == "csv" else to_json(frame)
    if output is not None:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text)
        return None
    return text
