"""Small display objects for pages: prose paragraphs and tables that render as plain,
accessible HTML in a notebook and in the offline page, with the audience's suppression
applied as text is made (``privacy``'s convention: counts of 1 to 5 and percentages or
averages built on them are shown as ``c`` in a shared page).

Numbers become text only here and in ``privacy.format_value``; a page never formats a
number itself.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..privacy import SMALL_MAX, SMALL_MIN, SUPPRESSED, check_audience, format_value, format_values

NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine", 10: "ten"}


def is_small(n) -> np.ndarray:
    """True where a count is 1 to 5 (DfE's suppression range)."""
    v = pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(n, dtype=object))), errors="coerce").to_numpy(dtype=float)
    return (v >= SMALL_MIN) & (v <= SMALL_MAX)


def hidden(n, audience: str) -> bool:
    """A single count the audience may not see."""
    return audience == "shared" and bool(is_small(n)[0])


def count_text(n, audience: str) -> str:
    """'1,234', or 'c' for 1 to 5 in a shared page."""
    check_audience(audience)
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return format_value(None, "count")
    return format_value(n, "count", "suppressed" if hidden(n, audience) else "ok")


def pct_text(pct, numerator, audience: str, decimals: int = 1) -> str:
    """'20.6%', or 'c' when the numerator is 1 to 5 in a shared page."""
    check_audience(audience)
    return format_value(pct, "pct", "suppressed" if hidden(numerator, audience) else "ok", decimals)


def number_text(x, base, audience: str, decimals: int = 1) -> str:
    """An average (working days, say) over ``base`` records: 'c' when base is 1 to 5 in a
    shared page; whole numbers shown without decimals."""
    check_audience(audience)
    status = "suppressed" if hidden(base, audience) else "ok"
    if status == "ok" and x is not None and not (isinstance(x, float) and math.isnan(x)) and float(x).is_integer():
        decimals = 0
    return format_value(x, "number", status, decimals)


def count_words(n, audience: str) -> str:
    """A count for a sentence: 'four' up to ten, '1,234' above, 'a small number' for 1 to
    5 in a shared page (a 'c' reads badly in prose)."""
    if hidden(n, audience):
        return "a small number"
    n = int(n)
    return NUMBER_WORDS.get(n, f"{n:,}")


def count_phrase(n, singular: str, plural: str, audience: str) -> str:
    """'one family', 'three families', or 'a small number of families' for 1 to 5 in a
    shared page: the plural then, whatever the number, so the grammar gives nothing away."""
    if hidden(n, audience):
        return f"a small number of {plural}"
    return f"{count_words(n, audience)} {singular if int(n) == 1 else plural}"


def date_text(d) -> str:
    if d is None or pd.isna(d):
        return ""
    d = pd.Timestamp(d)
    return f"{d.day} {d:%b %Y}"


def pct_points(diff: float) -> str:
    return f"{abs(diff):.1f} percentage point{'s' if round(abs(diff), 1) != 1 else ''}"


@dataclass
class Prose:
    """Paragraphs (and optional bullets) of generated text; HTML-escaped when rendered."""

    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    heading: str | None = None

    def __bool__(self) -> bool:
        return bool(self.paragraphs or self.bullets)

    def text(self) -> str:
        return "\n".join(self.paragraphs + [f"- {b}" for b in self.bullets])

    def _repr_html_(self) -> str:
        parts = [f"<h3>{html.escape(self.heading)}</h3>"] if self.heading else []
        parts += [f"<p>{html.escape(p)}</p>" for p in self.paragraphs]
        if self.bullets:
            parts.append("<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in self.bullets) + "</ul>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return self.text()


@dataclass
class HtmlTable:
    """A plain table: a header row, body rows of text (first column a row header, left
    aligned; the rest right aligned unless listed in ``text_columns``), a caption, an
    optional note under it and optional per-cell CSS classes (e.g. RAG colours)."""

    header: Sequence[str]
    rows: list[list[str]]
    caption: str = ""
    note: str = ""
    text_columns: tuple[int, ...] = ()
    cell_styles: dict = field(default_factory=dict)  # (row, col) -> inline CSS
    nowrap_columns: tuple[int, ...] = ()  # dates: "3 Jun 2025" on one line
    compact: bool = False  # smaller type for a wide table (many authorities side by side)

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(self.header))

    def _repr_html_(self) -> str:
        e = html.escape
        out = ['<table class="csc-table" style="font-size:0.8rem">' if self.compact else '<table class="csc-table">']
        if self.caption:
            out.append(f"<caption>{e(self.caption)}</caption>")
        out.append("<thead><tr>" + "".join(f'<th scope="col">{e(str(h))}</th>' for h in self.header) + "</tr></thead>")
        out.append("<tbody>")
        for i, row in enumerate(self.rows):
            cells = []
            for j, value in enumerate(row):
                style = self.cell_styles.get((i, j))
                if j in self.nowrap_columns:
                    style = (style or "") + "white-space:nowrap;"
                attr = f' style="{e(style)}"' if style else ""
                text = e(str(value)).replace("\n", "<br>")
                if j == 0:
                    if self.compact:
                        attr = f' style="min-width:12em;{e(style or "")}"'
                    cells.append(f'<th scope="row"{attr}>{text}</th>')
                elif j in self.text_columns:
                    cells.append(f'<td class="csc-text"{attr}>{text}</td>')
                else:
                    cells.append(f"<td{attr}>{text}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        if self.note:
            out.append(f'<p class="csc-meta">{e(self.note)}</p>')
        return "".join(out)


@dataclass(frozen=True)
class Column:
    """How one column of a table is shown: ``kind`` is text, count, pct (suppressed when
    ``base`` (its numerator column) is 1-5), number (an average over ``base`` records),
    date or wd (working days, whole numbers)."""

    source: str
    header: str
    kind: str = "text"
    base: str | None = None


def hidden_mask(values, audience: str, complementary: bool = False, groups=None) -> np.ndarray:
    """Which of a column of counts a shared page hides: each 1 to 5 and, with
    ``complementary`` (the rows add up to a total shown elsewhere on the page), when
    exactly one is hidden, the smallest other non-zero count too, so that the hidden one
    cannot be worked out as the total minus the rest. ``groups`` (aligned labels): apply
    that rule within each group as well (bins within a band, bands within a month), since
    each group's total is shown too. Internal: none."""
    v = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(dtype=float)
    if audience != "shared" or not len(v):
        return np.zeros(len(v), dtype=bool)
    mask = is_small(v)
    if not complementary:
        return mask
    labels = np.zeros(len(v), dtype=np.int64) if groups is None else pd.factorize(
        pd.Series(np.asarray(groups, dtype=object)))[0]
    for g in np.unique(labels):  # groups of a displayed table or chart: a handful
        rows = np.flatnonzero(labels == g)
        if mask[rows].sum() == 1:
            candidates = rows[~mask[rows] & (v[rows] > 0)]
            if len(candidates):
                mask[candidates[np.argmin(v[candidates])]] = True
    if groups is not None and mask.sum() == 1:  # and across the whole column
        return hidden_mask(np.where(mask, 1, v), audience, True, None) | mask
    return mask


def _masks(frame: pd.DataFrame, sources: Iterable[str], audience: str, complementary: bool) -> dict:
    return {c: hidden_mask(frame[c].to_numpy(), audience, complementary) for c in dict.fromkeys(sources)}


def _status(mask: np.ndarray | None, n: int) -> np.ndarray:
    if mask is None:
        return np.full(n, "ok", dtype=object)
    return np.where(mask, "suppressed", "ok").astype(object)


def format_column(frame: pd.DataFrame, c: Column, audience: str, masks: dict | None = None) -> np.ndarray:
    """One column of ``frame`` as display text (vectorised). ``masks``: source column ->
    rows hidden (default: the counts of 1 to 5 in a shared page)."""
    n = len(frame)
    v = frame[c.source]
    masks = masks if masks is not None else _masks(
        frame, [x for x in (c.source if c.kind == "count" else None, c.base) if x], audience, False)
    if c.kind == "count":
        return format_values(v.to_numpy(dtype=object), "count", _status(masks.get(c.source), n))
    if c.kind == "pct":
        return format_values(v.to_numpy(dtype=object), "pct", _status(masks.get(c.base), n))
    if c.kind in ("number", "wd"):
        text = format_values(v.to_numpy(dtype=object), "number", _status(masks.get(c.base), n))
        return pd.Series(text, dtype=object).str.replace(r"\.0$", "", regex=True).to_numpy(dtype=object)
    if c.kind == "date":
        d = pd.to_datetime(v)
        text = d.dt.day.astype("Int64").astype("str") + " " + d.dt.strftime("%b %Y")
        return text.where(d.notna(), "").to_numpy(dtype=object)
    return v.astype(object).where(v.notna(), "").astype(str).to_numpy(dtype=object)


def table(frame: pd.DataFrame, columns: Iterable[Column], audience: str, caption: str = "",
          note: str = "", complementary: bool = False) -> HtmlTable:
    """An ``HtmlTable`` from ``frame``, each column formatted for the audience.

    ``complementary``: the rows partition totals the page shows elsewhere (teams of an
    authority, bands of all assessments), so each count column gets complementary
    suppression (``hidden_mask``); a percentage or average is hidden with its base."""
    check_audience(audience)
    columns = list(columns)
    sources = [c.source for c in columns if c.kind == "count"] + [c.base for c in columns if c.base]
    masks = _masks(frame, sources, audience, complementary)
    text_cols = tuple(j for j, c in enumerate(columns) if c.kind in ("text", "date") and j > 0)
    cells = [format_column(frame, c, audience, masks) for c in columns]
    rows = np.column_stack(cells).tolist() if len(frame) else []
    dates = tuple(j for j, c in enumerate(columns) if c.kind == "date")
    return HtmlTable([c.header for c in columns], rows, caption, note, text_cols, nowrap_columns=dates)


def suppress_frame(frame: pd.DataFrame, audience: str, counts: Sequence[str] = (),
                   shares: dict | None = None, complementary: bool = False, groups: str | None = None
                   ) -> pd.DataFrame:
    """A copy of ``frame`` safe to embed in a shared chart: each column in ``counts`` set
    to NaN where hidden (1 to 5; with ``complementary``, see ``hidden_mask``), each
    ``shares`` column (name -> its numerator column) set to NaN where its numerator is
    hidden, and a ``suppressed`` flag column. ``groups``: a column whose groups each add
    up to a total shown elsewhere (see ``hidden_mask``). Internal: unchanged. Chart
    data is written into the page, so hiding a value visually is not enough: it must not
    be in the data."""
    check_audience(audience)
    out = frame.copy()
    flag = np.zeros(len(out), dtype=bool)
    masks = {c: hidden_mask(out[c].to_numpy(), audience, complementary,
                            out[groups].to_numpy() if groups else None)
             for c in dict.fromkeys([*counts, *(shares or {}).values()])}
    for col, num in (shares or {}).items():
        out[col] = out[col].astype(float).where(~masks[num]) if audience == "shared" else out[col]
        flag |= masks[num]
    for c in counts:
        if audience == "shared":
            out[c] = out[c].astype(float).where(~masks[c])
        flag |= masks[c]
    out["suppressed"] = flag
    return out


def rag_style(rag: str | None) -> str | None:
    """Inline CSS for a RAG cell: pale fills with dark text (contrast AA), always shown
    beside the RAG words, never instead of them."""
    return {
        "green": "background:#cce2d8;", "good": "background:#cce2d8;", "outstanding": "background:#b6dcc8;",
        "amber": "background:#fff2cc;", "ri": "background:#fff2cc;",
        "red": "background:#f4cdc6;", "inadequate": "background:#f4cdc6;",
    }.get(rag or "")


__all__ = ["Column", "HtmlTable", "Prose", "SUPPRESSED", "count_phrase", "count_text", "count_words", "hidden_mask", "date_text", "hidden",
           "is_small", "number_text", "pct_points", "pct_text", "rag_style", "suppress_frame", "table"]
