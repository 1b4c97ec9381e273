"""``Dataset``: the canonical tables for one or more authorities, held together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .schemas import TABLES, conform, validate


class Dataset:
    """A dict-like container of canonical tables (``persons``, ``referrals``, ...).

    Every table in ``schemas.TABLES`` is always present (empty if the source did not carry
    it), with canonical columns and dtypes, so measures never need to test for a table's
    existence: they test whether the *fields* they need are populated.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame] | None = None, *, conformed: bool = False):
        tables = dict(tables or {})
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise KeyError(f"unknown canonical tables: {sorted(unknown)}")
        self._tables: dict[str, pd.DataFrame] = {}
        for name, table in TABLES.items():
            frame = tables.get(name)
            if frame is None:
                self._tables[name] = table.empty()
            else:
                self._tables[name] = frame if conformed else conform(name, frame)

    # -- access ----------------------------------------------------------------------------
    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name]

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        if name not in TABLES:
            raise KeyError(name)
        self._tables[name] = conform(name, frame)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._tables[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self):
        return iter(self._tables)

    def items(self):
        return self._tables.items()

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self._tables.items() if len(v))
        return f"Dataset({sizes})"

    # -- whole-dataset operations ----------------------------------------------------------
    def validate(self) -> "Dataset":
        """Validate every table against its pandera schema; raises SchemaErrors if invalid."""
        for name, frame in self._tables.items():
            validate(name, frame)
        return self

    def authorities(self) -> list[str]:
        codes: set[str] = set()
        for frame in self._tables.values():
            if len(frame):
                codes.update(frame["authority"].dropna().unique().tolist())
        return sorted(codes)

    def for_authority(self, code: str) -> "Dataset":
        return Dataset({n: f[f["authority"] == code].reset_index(drop=True) for n, f in self._tables.items()},
                       conformed=True)

    @classmethod
    def concat(cls, datasets: Iterable["Dataset"]) -> "Dataset":
        datasets = list(datasets)
        out = {}
        for name in TABLES:
            frames = [d[name] for d in datasets if len(d[name])]
            out[name] = pd.concat(frames, ignore_index=True) if frames else TABLES[name].empty()
        return cls(out, conformed=True)

    def summary(self) -> pd.DataFrame:
        """Per authority: children, referrals, CP plans started, children looked after, etc."""
        rows = []
        for code in self.authorities():
            d = self.for_authority(code)
            rows.append({
                "authority": code,
                "children": d.persons["child_id"].nunique(),
                "contacts": len(d.contacts),
                "referrals": len(d.referrals),
                "assessments": len(d.assessments),
                "s47": len(d.s47),
                "cp_plans": len(d.cp_plans),
                "children_looked_after": d.cla_episodes["child_id"].nunique(),
                "cla_episodes": len(d.cla_episodes),
                "care_leaver_records": len(d.care_leavers),
            })
        return pd.DataFrame(rows)
