"""What an SSDA903 (children looked after) return holds: its tables, columns and codes.

Column names are DfE's (as in the CSV form of the return and Data to Insight's validator).
Table names are ours (lower case, one per CSV file). ``REQUIRED`` lists the columns a
loader needs to map a table into the canonical model; the others are optional because
older returns lack them (PLACE_PROVIDER and URN, for example) or because the canonical
model does not carry them.
"""

from __future__ import annotations

from ...codes import (
    ACCOMMODATION, ACTIVITY, ETHNICITY, IN_TOUCH, LEGAL_STATUS, PLACEMENT_PROVIDERS,
    PLACEMENT_TYPES, PRIMARY_NEED, REASON_EPISODE_CEASED, RNE,
)

# DfE column order for each table (the order the writer uses).
COLUMNS: dict[str, list[str]] = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
    "oc2": ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
            "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "ad1": ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
            "LS_ADOPTR"],
    "placed_for_adoption": ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
    "previous_permanence": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "sw_episodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
    "dolo": ["CHILD", "DOB", "DOLO_START", "DOLO_END"],
}

REQUIRED: dict[str, list[str]] = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"],
    "reviews": ["CHILD", "REVIEW"],
    "uasc": ["CHILD", "DUC"],
    "oc2": ["CHILD", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "SUBSTANCE_MISUSE"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "ad1": ["CHILD", "DATE_INT", "DATE_MATCH"],
    "placed_for_adoption": ["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
    "previous_permanence": ["CHILD", "PREV_PERM"],
    "missing": ["CHILD", "MISSING", "MIS_START", "MIS_END"],
    "sw_episodes": ["CHILD", "SW_ID", "SW_DECOM"],
    "dolo": ["CHILD", "DOLO_START"],
}

# Tables of the return that the canonical model does not hold: their rows are read and
# accounted for (rejected with the reason ``not_in_canonical_model``), never lost silently.
NOT_CARRIED = ("previous_permanence", "sw_episodes", "dolo")

# Columns added by Social Finance's liia-tools when it cleans a return: understood, not DfE's.
LIIA_COLUMNS = ("LA", "YEAR")

DATE_COLUMNS: dict[str, list[str]] = {
    "header": ["DOB", "MC_DOB"],
    "episodes": ["DECOM", "DEC"],
    "reviews": ["DOB", "REVIEW"],
    "uasc": ["DOB", "DUC"],
    "oc2": ["DOB"],
    "oc3": ["DOB"],
    "ad1": ["DOB", "DATE_INT", "DATE_MATCH"],
    "placed_for_adoption": ["DOB", "DATE_PLACED", "DATE_PLACED_CEASED"],
    "previous_permanence": ["DOB", "DATE_PERM"],
    "missing": ["DOB", "MIS_START", "MIS_END"],
    "sw_episodes": ["DOB", "SW_DECOM", "SW_DEC"],
    "dolo": ["DOB", "DOLO_START", "DOLO_END"],
}

# A row without this date cannot be placed in time: it is rejected (other dates that do not
# parse are set to null with a warning).
KEY_DATE: dict[str, str] = {
    "episodes": "DECOM", "reviews": "REVIEW", "missing": "MIS_START", "placed_for_adoption": "DATE_PLACED",
    "ad1": "DATE_INT", "oc3": "DOB",
}

# XML form (EXPSSDA903 root, one CHILD element per child): where each table's records are,
# relative to CHILD, and the element name of each column where it differs from the CSV.
XML_RECORDS: dict[str, str] = {
    "header": "HEADER",
    "episodes": "EPISODE",
    "reviews": "HEADER/AREVIEW",
    "missing": "HEADER/AMISSING",
    "oc2": "HEADER/OC2",
    "placed_for_adoption": "HEADER/AD_PLACED",
    "previous_permanence": "HEADER/PERMANENCE",
    # These sit directly in HEADER and exist only when their key item is present.
    "oc3": "HEADER[IN_TOUCH]",
    "ad1": "HEADER[DATE_INT]",
    "uasc": "HEADER[DUC or UASC='1']",
}
XML_ELEMENT = {("episodes", "PLACE"): "PL", ("header", "CHILD"): "CHILDID"}

# Code lists the SSDA903 return uses that are not shared with the other returns.
REVIEW_CODES = {f"PN{i}": "" for i in range(8)}
SDQ_REASONS = {f"SDQ{i}": "" for i in range(1, 6)}
REASON_PLACE_CHANGE = {
    "CARPL": "Change to/Implementation of Care Plan", "CLOSE": "Resignation/closure of provision",
    "ALLEG": "Allegation (S47)", "STAND": "Standards of care concern", "APPRR": "Approval removed",
    "CREQB": "Carer(s) requests placement end due to child's behaviour",
    "CREQO": "Carer(s) requests placement end other than due to child's behaviour",
    "CHILD": "Child requests placement end", "LAREQ": "Responsible/area authority requests placement end",
    "PLACE": "Change in the status of placement only", "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}
REASON_PLACED_CEASED = {
    "RD1": "Child's needs changed", "RD2": "Court did not make a placement order",
    "RD3": "Prospective adopters could not be found", "RD4": "Any other reason",
}
MISSING_KINDS = {"M": "Missing", "A": "Away from placement without authorisation"}
# SEX: 1/2 up to the 2023-24 return; M/F/U from 2024-25 (as the CIN census).
SEX_CODES = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}

# Reason episode ceased written by the episode fixes when an open episode is closed without a
# DfE reason (the child left care: the return does not say why). liia-tools uses the same code.
REC_CLOSED_BY_FIX = "E99"

CODE_LISTS: dict[tuple[str, str], dict] = {
    ("header", "ETHNIC"): ETHNICITY,
    ("header", "SEX"): SEX_CODES,
    ("uasc", "SEX"): SEX_CODES,
    ("episodes", "RNE"): RNE,
    ("episodes", "LS"): LEGAL_STATUS,
    ("episodes", "CIN"): PRIMARY_NEED,
    ("episodes", "PLACE"): PLACEMENT_TYPES,
    ("episodes", "PLACE_PROVIDER"): PLACEMENT_PROVIDERS,
    ("episodes", "REC"): {**REASON_EPISODE_CEASED, REC_CLOSED_BY_FIX: "Ceased (reason not returned)"},
    ("episodes", "REASON_PLACE_CHANGE"): REASON_PLACE_CHANGE,
    ("reviews", "REVIEW_CODE"): REVIEW_CODES,
    ("missing", "MISSING"): MISSING_KINDS,
    ("oc3", "IN_TOUCH"): IN_TOUCH,
    ("oc3", "ACTIV"): ACTIVITY,
    ("placed_for_adoption", "REASON_PLACED_CEASED"): REASON_PLACED_CEASED,
    ("oc2", "SDQ_REASON"): SDQ_REASONS,
}
ACCOM_LETTERS = ACCOMMODATION

# 0/1 flags (written as 0/1; a stray "1.0" from a spreadsheet is read as 1).
FLAG_COLUMNS: dict[str, list[str]] = {
    "oc2": ["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
    "header": ["MOTHER"],
    "ad1": ["FOSTER_CARE"],
}
NUMBER_COLUMNS: dict[str, list[str]] = {
    "oc2": ["SDQ_SCORE"], "ad1": ["NB_ADOPTR"],
}

# Placement types meaning "placed for adoption" (A3/A4 with consent, A5/A6 with a placement order).
PLACED_FOR_ADOPTION = ("A3", "A4", "A5", "A6")
# Foster placement with carers who are also approved adopters (fostering for adoption).
FFA_PLACEMENTS = ("U2", "U5")
PLACEMENT_ORDER_LS = ("E1",)
