"""Annex A cell parsers: headers by meaning, dates in every form exports use, codes as
lettered values, bare codes or labels."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csc_workbench.io.annex_a import cells
from csc_workbench.io.annex_a.spec import CODESETS


def test_headers_normalise_quotes_brackets_spaces_and_case():
    assert cells.norm_header("Date of Referral ") == cells.norm_header("date of referral") == "date of referral"
    assert cells.norm_header("Date\u00a0of referral (dd/mm/yyyy)") == "date of referral"
    assert cells.norm_header("Number of Episodes the Child has been \u2018Missing\u2019 from their Placement") == \
        cells.norm_header("Number of Episodes the Child has been 'Missing' from their Placement")
    assert cells.norm_header("Referral NFA?") == "referral nfa"
    assert cells.norm_header(None) == ""


def test_dates_from_excel_dates_serials_and_uk_text():
    values = pd.Series([dt.datetime(2020, 9, 16), dt.date(2021, 2, 28), 44197, 44197.75, "16/09/2020",
                        "1/2/2021", "2021-03-05", "05-03-2021", "5 Mar 2021", "44197", "16/09/2020 00:00:00",
                        None, "  ", pd.Timestamp("2022-06-02")], dtype=object)
    out, bad = cells.dates(values)
    expected = pd.to_datetime(["2020-09-16", "2021-02-28", "2021-01-01", "2021-01-01", "2020-09-16",
                               "2021-02-01", "2021-03-05", "2021-03-05", "2021-03-05", "2021-01-01",
                               "2020-09-16", None, None, "2022-06-02"]).astype("datetime64[us]")
    pd.testing.assert_series_equal(out, pd.Series(expected), check_names=False)
    assert not bad.any()
    assert out.dtype == "datetime64[us]"


def test_dates_flag_text_and_impossible_values_but_not_blanks():
    out, bad = cells.dates(pd.Series(["yesterday", "31/02/2021", "13/13/2020", 5_000_000, True, "", None],
                                     dtype=object))
    assert out.isna().all()
    assert bad.tolist() == [True, True, True, True, True, False, False]


def test_month_first_american_text_is_not_guessed():
    # 12/31/2020 cannot be dd/mm; it is rejected rather than silently read as a US date.
    out, bad = cells.dates(pd.Series(["12/31/2020"], dtype=object))
    assert bad.tolist() == [True]


@pytest.mark.parametrize("text,code", [
    ("q) 6: Police", "6"), ("6", "6"), ("Police", "6"), ("POLICE", "6"), ("b) 1B: Individual", "1B"),
    ("1B", "1B"), ("e) 2A: Schools", "2A"), ("Health services: A&E", "3E"), ("u) 10: Unknown", "10"),
    ("p1) 5D: LA services", "5D"),
])
def test_referral_sources_lettered_bare_or_label(text, code):
    assert cells.code_of(text, CODESETS["source"]) == code


@pytest.mark.parametrize("codeset,text,code", [
    ("sex", "b) Female", "F"), ("sex", "Female", "F"), ("sex", "a) Male", "M"), ("sex", "d) Neither", "U"),
    ("sex", "c) Not stated/recorded", "U"), ("sex", "F", "F"),
    ("ethnicity", "a) WBRI", "WBRI"), ("ethnicity", "s) NOBT", "NOBT"), ("ethnicity", "t) NOBT", "NOBT"),
    ("ethnicity", "White British", "WBRI"), ("ethnicity", "APKN", "APKN"),
    ("cp_category", "Physical abuse", "PHY"), ("cp_category", "e) Multiple/not recommended", "MUL"),
    ("cp_category", "NEG", "NEG"),
    ("need", "N1 - Abuse or Neglect", "N1"), ("need", "Family dysfunction", "N5"),
    ("legal_status", "E1: Placement order", "E1"), ("legal_status", "C2: FCO", "C2"),
    ("place", "f) U6: Foster placement - not FFA", "U6"), ("place", "n) H5: Residential accommodation", "H5"),
    ("provider", "e) PR4 - Private provision", "PR4"), ("provider", "b) PR1: Own provision", "PR1"),
    ("rec", "k) E47: Special Guardianship Orders - relative/friend", "E47"),
    ("eligibility", "b) Former relevant child", "former_relevant"),
    ("in_touch", "a) Yes", "YES"), ("in_touch", "d) Refu", "REFU"),
    ("accommodation", "Y: Other accommodation", "Y"), ("suitability", "a) Suitable", "1"),
    ("activity", "F3: Full time in training or employment", "F3"),
    ("activity", "G5: Not in education, employment or training - other", "G5"),
    ("case_status", "c) Child in need plan", "cin"), ("adoption_stopped", "RD2", "RD2"),
])
def test_codes_in_every_form(codeset, text, code):
    assert cells.code_of(text, CODESETS[codeset]) == code


def test_unknown_codes_are_flagged_and_blanks_are_not():
    out, bad = cells.code_values(pd.Series(["PSRMEM - Support with memory and cognition", "N1", None, ""],
                                           dtype=object), CODESETS["need"])
    assert out.tolist()[1] == "N1" and out.isna().tolist() == [True, False, True, True]
    assert bad.tolist() == [True, False, False, False]


def test_yes_no_unknown_as_nullable_booleans():
    out, bad = cells.bools(pd.Series(["a) Yes", "b) No", "Yes", "N", "c) Unknown", True, False, 1, None, "maybe"],
                                     dtype=object), CODESETS["yes_no"])
    assert out.tolist()[:8] == [True, False, True, False, pd.NA, True, False, True]
    assert out.isna().tolist()[8:] == [True, True]
    assert bad.tolist() == [False] * 9 + [True]


def test_child_ids_keep_text_and_drop_excel_float_tails():
    out = cells.ids(pd.Series([9212044, 9212044.0, "00123", " ABC\u00a0 ", None, np.int64(7)], dtype=object))
    assert out.tolist()[:4] == ["9212044", "9212044", "00123", "ABC"]
    assert pd.isna(out.iloc[4]) and out.iloc[5] == "7"


def test_counts_and_names():
    n, bad = cells.ints(pd.Series([0, 2.0, "3", -1, 1.5, "x", None], dtype=object))
    assert n.tolist()[:3] == [0, 2, 3] and n.isna().tolist()[3:] == [True] * 4
    assert bad.tolist() == [False, False, False, True, True, True, False]
    names = cells.names(pd.Series(["Dustin\u00a0Hazlett", "Unallocated", "N/A", " Team 1 "], dtype=object))
    assert names.tolist()[0] == "Dustin Hazlett" and names.isna().tolist() == [False, True, True, False]
    assert names.iloc[3] == "Team 1"


def test_excel_error_values():
    assert cells.excel_errors(pd.Series(["#N/A", "#REF!", "N/A", 3], dtype=object)).tolist() == [True, True, False, False]
