"""The canonical child-level model: every table defined once.

Loaders (Annex A, CIN census, SSDA903) fill these tables; the synthetic generator writes
them; measures read them. Column names are lower-case forms of DfE's terms (SSDA903 field
names for looked-after episodes, CIN census names elsewhere). Every row carries
``authority`` (the authority code). Dates are calendar dates held as ``datetime64[us]`` at
midnight. Codes are DfE's codes (see ``csc_workbench.codes``), never labels.

Each table has a natural key (``key``): two rows with the same key are the same record, so
that loading next month's Annex A over this month's keeps one row per record, the latest
version winning (issue: history across months).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

DATE = "datetime64[us]"  # pandas 3 default resolution; DuckDB returns it too
STR = "str"
BOOL = "boolean"  # nullable: unknown is a real answer in these returns
INT = "Int64"  # nullable integer
FLOAT = "float64"


@dataclass(frozen=True)
class Col:
    dtype: str
    nullable: bool = True
    doc: str = ""
    isin: tuple | None = None  # allowed codes (checked, nulls allowed if nullable)


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: dict[str, Col]
    key: tuple[str, ...]
    # Columns holding personal identifiers or names: never in shared outputs.
    identifying: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    def empty(self) -> pd.DataFrame:
        # Typed empty columns are slow to build (40 ms for every table) and each Dataset needs
        # them for its absent tables: build once per table layout, hand out copies.
        layout = (self.name, tuple((c, spec.dtype) for c, spec in self.columns.items()))
        cached = _EMPTY.get(layout)
        if cached is None:
            cached = _EMPTY[layout] = pd.DataFrame(
                {c: pd.Series(dtype=_pandas_dtype(spec.dtype)) for c, spec in self.columns.items()})
        return cached.copy()

    def schema(self) -> pa.DataFrameSchema:
        return _schema(self)


_EMPTY: dict[tuple, pd.DataFrame] = {}


def _pandas_dtype(dtype: str):
    return dtype


A = Col(STR, nullable=False, doc="Authority code (DfE old LA code, or a synthetic code)")
CHILD = Col(STR, nullable=False, doc="The authority's child identifier (LAchildID / CHILD)")
TEAM = Col(STR, doc="Team responsible for this piece of work (team_id)")
WORKER = Col(STR, doc="Worker responsible for this piece of work (worker_id)")

SEX = ("M", "F", "U")
CP_CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")
VISIT_KINDS = ("CIN", "CP", "CLA", "assessment")
ASSESSMENT_OUTCOMES = ("nfa", "cin", "cp", "cla", "early_help", "other")
CONTACT_OUTCOMES = ("referral", "early_help", "advice", "nfa", "other")

TABLES: dict[str, Table] = {}


def _t(name: str, doc: str, key: tuple[str, ...], identifying: tuple[str, ...] = (), **cols: Col) -> Table:
    table = Table(name=name, doc=doc, columns={"authority": A, **cols}, key=("authority",) + key,
                  identifying=identifying)
    TABLES[name] = table
    return table


_t("authorities", "Authorities in the warehouse (real or synthetic)", ("la_name",),
   la_name=Col(STR, nullable=False), region_code=Col(STR), region_name=Col(STR),
   is_synthetic=Col(BOOL, nullable=False),
   data_from=Col(DATE, doc="First day the authority's returns fully cover (older dates are history "
                 "carried by open cases); null: worked out from the front-door data"),
   data_to=Col(DATE, doc="Last day the returns cover"))

_t("persons", "One row per child", ("child_id",), identifying=("child_id", "dob"),
   child_id=CHILD,
   sex=Col(STR, doc="M, F or U (CIN census GenderCurrent 1/2/0,9 and Sex M/F/U)", isin=SEX),
   ethnicity=Col(STR, doc="DfE ethnicity code, e.g. WBRI"),
   dob=Col(DATE, doc="Date of birth"),
   expected_dob=Col(DATE, doc="Expected date of birth (unborn children)"),
   death_date=Col(DATE),
   disabled=Col(BOOL, doc="Has a disability (CIN census Disabilities other than NONE)"),
   uasc=Col(BOOL, doc="Unaccompanied asylum-seeking child at any point"),
   family_id=Col(STR, doc="Household / sibling group identifier where known"))

_t("contacts", "Contacts received by the front door", ("child_id", "contact_date"),
   identifying=("child_id",),
   contact_id=Col(STR, nullable=False), child_id=CHILD,
   contact_date=Col(DATE, nullable=False),
   source=Col(STR, doc="Referral-source code (1A..10) where recorded"),
   outcome=Col(STR, isin=CONTACT_OUTCOMES),
   decision_date=Col(DATE, doc="Date the contact decision was made"),
   team_id=TEAM, worker_id=WORKER)

_t("referrals", "Referrals, each opening a CIN episode (CIN census CINdetails)",
   ("child_id", "referral_date"), identifying=("child_id",),
   referral_id=Col(STR, nullable=False), child_id=CHILD,
   referral_date=Col(DATE, nullable=False),
   referral_source=Col(STR, doc="CIN census ReferralSource code, e.g. 1A, 5A"),
   nfa=Col(BOOL, doc="ReferralNFA"),
   primary_need=Col(STR, doc="N0..N9"),
   closure_date=Col(DATE, doc="CINclosureDate"),
   closure_reason=Col(STR, doc="RC1..RC9"),
   previous_referrals_12m=Col(INT, doc="Annex A 'Number of Referrals in Last 12 Months'"),
   team_id=TEAM, worker_id=WORKER)

_t("assessments", "Children and family assessments (CIN census Assessments)",
   ("child_id", "start_date"), identifying=("child_id",),
   assessment_id=Col(STR, nullable=False), child_id=CHILD,
   referral_id=Col(STR, doc="The CIN episode (referral) the assessment belongs to"),
   start_date=Col(DATE, nullable=False),
   authorised_date=Col(DATE, doc="AssessmentAuthorisationDate (completion)"),
   outcome=Col(STR, isin=ASSESSMENT_OUTCOMES),
   child_seen=Col(BOOL),
   factors=Col(STR, doc="Factors identified at assessment, comma-separated codes"),
   team_id=TEAM, worker_id=WORKER)

_t("s47", "Section 47 enquiries (strategy discussion date as start)", ("child_id", "start_date"),
   identifying=("child_id",),
   s47_id=Col(STR, nullable=False), child_id=CHILD, referral_id=Col(STR),
   start_date=Col(DATE, nullable=False),
   icpc_target_date=Col(DATE),
   icpc_not_required=Col(BOOL),
   team_id=TEAM, worker_id=WORKER)

_t("icpcs", "Initial child protection conferences", ("child_id", "icpc_date"),
   identifying=("child_id",),
   icpc_id=Col(STR, nullable=False), child_id=CHILD, referral_id=Col(STR),
   s47_id=Col(STR, doc="The S47 enquiry the conference followed, where known"),
   icpc_date=Col(DATE, nullable=False),
   cp_plan=Col(BOOL, doc="The conference resulted in a child protection plan"),
   team_id=TEAM, worker_id=WORKER)

_t("cp_plans", "Child protection plans", ("child_id", "start_date"), identifying=("child_id",),
   cpp_id=Col(STR, nullable=False), child_id=CHILD, referral_id=Col(STR),
   start_date=Col(DATE, nullable=False), end_date=Col(DATE),
   initial_category=Col(STR, isin=CP_CATEGORIES),
   latest_category=Col(STR, isin=CP_CATEGORIES),
   previous_plans=Col(INT, doc="NumberOfPreviousCPP / Annex A number of previous plans"),
   team_id=TEAM, worker_id=WORKER)

_t("cp_reviews", "Child protection review conferences", ("child_id", "review_date"),
   identifying=("child_id",),
   cpp_id=Col(STR), child_id=CHILD, review_date=Col(DATE, nullable=False))

_t("cin_plans", "Child in need plans", ("child_id", "start_date"), identifying=("child_id",),
   cin_plan_id=Col(STR, nullable=False), child_id=CHILD, referral_id=Col(STR),
   start_date=Col(DATE, nullable=False), end_date=Col(DATE))

_t("visits", "Statutory visits and assessment visits", ("child_id", "visit_date", "kind"),
   identifying=("child_id",),
   visit_id=Col(STR, nullable=False), child_id=CHILD,
   visit_date=Col(DATE, nullable=False),
   kind=Col(STR, nullable=False, isin=VISIT_KINDS),
   seen=Col(BOOL, doc="Child seen"), seen_alone=Col(BOOL),
   worker_id=WORKER)

_t("cla_episodes", "Looked-after episodes as in SSDA903 (one row per episode)", ("child_id", "decom"),
   identifying=("child_id", "home_post", "pl_post"),
   child_id=CHILD,
   decom=Col(DATE, nullable=False, doc="DECOM: date episode commenced"),
   rne=Col(STR, doc="RNE: reason for new episode (S, L, P, T, U, B)"),
   ls=Col(STR, doc="LS: legal status (C1, C2, D1, E1, J1-J3, L1-L3, V2-V4)"),
   cin=Col(STR, doc="CIN: category of need N1..N8"),
   place=Col(STR, doc="PLACE: placement type"),
   place_provider=Col(STR, doc="PLACE_PROVIDER: PR0..PR5"),
   dec=Col(DATE, doc="DEC: date episode ceased"),
   rec=Col(STR, doc="REC: reason episode ceased (X1 = episode ends, care continues)"),
   reason_place_change=Col(STR, doc="REASON_PLACE_CHANGE"),
   home_post=Col(STR), pl_post=Col(STR), urn=Col(STR),
   team_id=TEAM, worker_id=WORKER)

_t("cla_reviews", "Looked-after reviews", ("child_id", "review_date"), identifying=("child_id",),
   child_id=CHILD, review_date=Col(DATE, nullable=False),
   participation=Col(STR, doc="REVIEW_CODE PN0..PN7"))

_t("missing", "Missing and away-from-placement episodes", ("child_id", "start_date", "kind"),
   identifying=("child_id",),
   child_id=CHILD, kind=Col(STR, nullable=False, isin=("M", "A"), doc="M missing, A away"),
   start_date=Col(DATE, nullable=False), end_date=Col(DATE))

_t("cla_snapshots", "What Ofsted Annex A List 8 reports about a looked-after child as at its extract date: "
   "counts over the 12 months before (no episode dates are given, so they cannot be rows of "
   "``missing`` or ``cla_episodes``)", ("child_id", "snapshot_date"), identifying=("child_id",),
   child_id=CHILD, snapshot_date=Col(DATE, nullable=False, doc="Extract date the counts refer to"),
   placements_12m=Col(INT, doc="Number of placements in the last 12 months"),
   missing_12m=Col(INT, doc="Missing episodes in the last 12 months"),
   away_12m=Col(INT, doc="Absent (away without authorisation) episodes in the last 12 months"))

_t("health_checks", "Health assessments and dental checks (dated)", ("child_id", "check_date", "kind"),
   identifying=("child_id",),
   child_id=CHILD, check_date=Col(DATE, nullable=False),
   kind=Col(STR, nullable=False, isin=("health", "dental")))

_t("cla_outcomes", "SSDA903 OC2: annual outcomes for children looked after 12 months at 31 March",
   ("child_id", "year"), identifying=("child_id",),
   child_id=CHILD, year=Col(INT, nullable=False, doc="Year ending 31 March"),
   health_check=Col(BOOL), teeth_check=Col(BOOL), immunisations=Col(BOOL),
   sdq_score=Col(INT), convicted=Col(BOOL), substance_misuse=Col(BOOL))

_t("care_leavers", "Care-leaver status at each birthday 17..21 (SSDA903 OC3, Annex A List 9)",
   ("child_id", "status_date"), identifying=("child_id",),
   child_id=CHILD,
   status_date=Col(DATE, nullable=False, doc="The birthday (or extract date) the status refers to"),
   age=Col(INT),
   eligibility=Col(STR, doc="relevant, former_relevant, qualifying, eligible, other"),
   in_touch=Col(STR, doc="IN_TOUCH: YES, NO, DIED, REFU, NREQ, RHOM"),
   activity=Col(STR, doc="ACTIV: F1, P1, F2, P2, F4, P4, F5, P5, G4, G5, G6 (legacy F3, P3)"),
   accommodation=Col(STR, doc="ACCOM type letter B..Z"),
   suitable=Col(BOOL, doc="Accommodation suitable (ACCOM suffix 1)"),
   latest_contact_date=Col(DATE), pathway_plan_date=Col(DATE),
   team_id=TEAM, worker_id=WORKER)

_t("adoptions", "Adoption journey dates, one row per child per adoption decision", ("child_id", "decision_date"),
   identifying=("child_id",),
   child_id=CHILD,
   entered_care_date=Col(DATE),
   decision_date=Col(DATE, doc="Decision the child should be placed for adoption (SHOBPA)"),
   placement_order_date=Col(DATE), match_date=Col(DATE), placed_date=Col(DATE),
   adoption_order_date=Col(DATE),
   stopped_date=Col(DATE, doc="Decision the child should no longer be placed"),
   stopped_reason=Col(STR), ffa_date=Col(DATE, doc="Placed in FFA / concurrent planning"))

_t("teams", "Teams", ("team_id",),
   team_id=Col(STR, nullable=False), team_name=Col(STR, nullable=False),
   service=Col(STR, doc="front_door, assessment, cin, cp, cla, care_leavers, disability, adoption"))

_t("workers", "Workers (social workers, personal advisers)", ("worker_id",), identifying=("worker_name",),
   worker_id=Col(STR, nullable=False), worker_name=Col(STR),
   team_id=Col(STR), agency=Col(BOOL), start_date=Col(DATE), end_date=Col(DATE))

_t("allocations", "Case allocations to workers over time", ("child_id", "start_date", "worker_id"),
   identifying=("child_id",),
   child_id=CHILD, worker_id=Col(STR, nullable=False), team_id=Col(STR),
   start_date=Col(DATE, nullable=False), end_date=Col(DATE))

_t("population", "Children aged 0-17 (ONS mid-year estimate)", ("year",),
   year=Col(INT, nullable=False, doc="Mid-year of the estimate (mid-2023 = 2023)"),
   population_0_17=Col(INT, nullable=False))


CHILD_TABLES = tuple(n for n, t in TABLES.items() if "child_id" in t.columns)


def _schema(table: Table) -> pa.DataFrameSchema:
    columns = {}
    for name, spec in table.columns.items():
        checks = []
        if spec.isin is not None:
            checks.append(pa.Check.isin(list(spec.isin), ignore_na=True))
        columns[name] = pa.Column(spec.dtype, nullable=spec.nullable, checks=checks, coerce=True,
                                  description=spec.doc or None)
    return pa.DataFrameSchema(columns, strict=True, ordered=False, name=table.name,
                              unique=list(table.key) if table.key else None)


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the table's columns, in order, with canonical dtypes.

    Missing optional columns are added as nulls; extra columns are an error (a loader should
    account for them). Does not validate codes: use ``validate`` for that.
    """
    table = TABLES[name]
    extra = set(frame.columns) - set(table.columns) - {"_row"}
    if extra:
        raise ValueError(f"{name}: unexpected columns {sorted(extra)}")
    out = {}
    n = len(frame)
    for col, spec in table.columns.items():
        if col in frame.columns:
            s = frame[col]
        else:
            s = pd.Series([None] * n, index=frame.index, dtype="object")
        if spec.dtype == DATE:
            s = pd.to_datetime(s, errors="raise").astype(DATE)
            s = s.dt.normalize()
        elif spec.dtype == STR:
            s = s.astype(STR)
        else:
            s = s.astype(spec.dtype)
        out[col] = s
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def validate(name: str, frame: pd.DataFrame, lazy: bool = True) -> pd.DataFrame:
    """Validate with the pandera schema (dtypes, nulls, codes, unique natural key)."""
    return TABLES[name].schema().validate(frame, lazy=lazy)
