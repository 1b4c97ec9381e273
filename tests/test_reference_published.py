"""Reading published files as users download them: symbols, BOMs, quoted codes, thousands
separators, and clear messages for a missing, renamed or reshaped file."""

import shutil

import numpy as np
import pandas as pd
import pytest

from csc_workbench.errors import ConfigError, InputError
from csc_workbench.reference import build_reference
from csc_workbench.reference.published import (
    clean_code, combine_status, parse_published, parse_year, round_half_up,
)


def test_parse_published_symbols_and_numbers():
    cells = pd.Series(["1,234", " c ", "x", "z", "u", "-", "..", '="343"', "12.5%", "k", "0", "n/a?"])
    p = parse_published(cells)
    assert p["value"].iloc[0] == 1234 and p["value"].iloc[7] == 343 and p["value"].iloc[8] == 12.5
    assert p["value"].iloc[10] == 0 and p["status"].iloc[10] == "ok"  # a real zero stays zero
    assert p["status"].tolist() == ["ok", "suppressed"] + ["not_available"] * 5 + ["ok", "ok",
                                                                                  "not_available", "ok",
                                                                                  "not_available"]
    assert p["symbol"].tolist()[:7] == ["", "c", "x", "z", "u", "-", ".."]
    assert p["symbol"].iloc[11] == "?"  # unreadable text is flagged, not guessed
    assert p.loc[p["status"] != "ok", "value"].isna().all()


def test_codes_and_years():
    assert clean_code(pd.Series(["343.0", '"343"', " E08000014 ", '="201"'])).tolist() == [
        "343", "343", "E08000014", "201"]
    assert parse_year(pd.Series(["2024", "202324", "2023-24", "x"])).tolist()[:3] == [2024, 2024, 2024]
    assert pd.isna(parse_year(pd.Series(["x"])).iloc[0])


def test_rounding_is_half_up_as_published():
    # numpy rounds 0.25 -> 0.2 (half to even); DfE prints 0.3
    assert round_half_up(np.array([0.25, 51.45, 518.2856, 2.5]), 1).tolist() == [0.3, 51.5, 518.3, 2.5]
    assert round_half_up(np.array([2.5]), 0).tolist() == [3.0]


def test_combined_status():
    out = combine_status(np.array(["ok", "ok", "suppressed", "not_available"]),
                         np.array(["ok", "not_available", "not_available", "ok"]))
    assert out.tolist() == ["ok", "not_available", "suppressed", "not_available"]


C1_HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
             "region_name,old_la_code,new_la_code,la_name,category,referral_count,rereferral_count,"
             "rereferral_percent,no_further_action_count,no_further_action_percent")


def _c1(folder, rows, bom=True, header=C1_HEADER):
    text = header + "\n" + "\n".join(rows) + "\n"
    (folder / "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv").write_bytes(
        (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def test_messy_download_loads(tmp_path):
    """BOM, quoted codes, Excel text codes, thousands separators, a blank line, 'c'."""
    _c1(tmp_path, [
        '2026,Reporting year,National,E92000001,England,,,,,,R,"640,000","144,000",22.5,"40,000",6.3',
        '2026,Reporting year,Local authority,E92000001,England,E12000002,North West,"343",'
        '"E08000014",Sefton,R,"3,800",950,25.0,c,c',
        "",
        '2026,Reporting year,Local authority,E92000001,England,E12000002,North West,="344",'
        'E08000015,Wirral,R,4100,x,x,200,4.9',
        '2026,Reporting year,Local authority district,E92000001,England,,,,E07000117,Burnley,R,1,1,1,1,1',
    ])
    tables, account = build_reference(tmp_path)
    b = tables["ref_benchmarks"].set_index(["measure", "code"])
    assert b.loc[("referrals", "E92000001"), "value"] == 640000
    assert b.loc[("referrals", "343"), "value"] == 3800
    assert b.loc[("rereferral_pct", "343"), ["value", "numerator", "denominator"]].tolist() == [25.0, 950, 3800]
    assert b.loc[("referral_nfa_pct", "343"), "status"] == "suppressed"
    assert b.loc[("referrals", "344"), "value"] == 4100  # ="344" read as 344
    assert b.loc[("rereferral_pct", "344"), "status"] == "not_available"
    assert b.loc[("referrals", "343"), "release"] == "CIN 2026 release"
    # the district row is not a benchmark area: rejected with a reason, not dropped silently
    # (and the blank line is accounted for as such): read 5, loaded 3, rejected 2
    s = account.summary().set_index("key").loc["c1"]
    assert (s["rows_read"], s["loaded"], s["rejected"]) == (5, 3, 2)
    issues = account.account.issues()
    rejected = issues[issues["action"] == "rejected"].set_index("rule")["row"]
    assert rejected.to_dict() == {"blank_row": "4", "geography_not_used": "6"}
    # no population file: rates cannot be computed, and say so rather than show a number
    rate = b.loc[("referral_rate", "343")]
    assert rate["status"] == "not_available" and np.isnan(rate["value"])
    # every other file is reported missing, naming it
    missing = " ".join(account.missing)
    assert "cla_number_and_rate_per_10k_children.csv" in missing
    assert "ons_mid-year_population_estimates*.csv" in missing


def test_missing_file_named_while_others_load(tmp_path, dfe_dir):
    for name in ("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
                 "ons_mid-year_population_estimates_2012_to_2024.csv",
                 "la_reference_2024_from_dfe_population_file.csv"):
        shutil.copy(dfe_dir / name, tmp_path / name)
    # d3 downloaded under another name: found as a near match and named in the message
    shutil.copy(dfe_dir / "d3_cpps_subsequent_plan_2013_to_2025.csv", tmp_path / "d3_cpp_subsequent.csv")
    tables, account = build_reference(tmp_path)
    files = account.files.set_index("key")
    assert files.loc["c1", "status"] == "loaded"
    assert files.loc["d3", "status"] == "missing"
    msg = files.loc["d3", "message"]
    assert "d3_cpps_subsequent_plan*.csv" in msg and "'d3_cpp_subsequent.csv'" in msg and "rename" in msg
    assert "explore-education-statistics" in msg
    b = tables["ref_benchmarks"]
    assert set(b["measure"]) == {"referrals", "referral_rate", "rereferral_pct", "referral_nfa_pct",
                                 "Referrals_AssessedNotNeed"}
    r = b[(b["measure"] == "referral_rate") & (b["code"] == "E92000001") & (b["year"] == 2024)]
    assert r["value"].tolist() == [515.7]  # 621,880 / 12,059,476 (revised mid-2023)
    assert len(tables["ref_authorities"]) == 153
    assert tables["ref_stat_neighbours"].empty
    assert "NOT LOADED" in str(account)


def test_missing_column_names_file_and_column(tmp_path):
    _c1(tmp_path, ["2026,Reporting year,National,E92000001,England,,,,,,R,1,1,1,1"],
        header=C1_HEADER.replace("rereferral_percent", "rereferral_pct_renamed"))
    tables, account = build_reference_or_error(tmp_path)
    msg = account.files.set_index("key").loc["c1", "message"]
    assert "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv" in msg
    assert "'rereferral_percent'" in msg and "required column missing" in msg


def build_reference_or_error(folder):
    """A folder whose only file is broken has nothing to load: ConfigError. Add a good
    file so the broken one's message can be read from the account."""
    (folder / "la_reference_2024.csv").write_text(
        "old_la_code,new_la_code,la_name,region_code,region_name\n343,E08000014,Sefton,E12000002,North West\n")
    return build_reference(folder)


def test_empty_or_absent_folder(tmp_path):
    with pytest.raises(ConfigError, match="no DfE published files found"):
        build_reference(tmp_path)
    with pytest.raises(ConfigError, match="reference folder not found"):
        build_reference(tmp_path / "nowhere")


def test_unreadable_file_is_an_input_error(tmp_path):
    from csc_workbench.reference import sources
    from csc_workbench.quality import LoadAccount

    (tmp_path / "b1_children_in_need_2013_to_2025.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty") as exc:
        sources.ees_rows(tmp_path, "b1", LoadAccount("t"))
    assert "b1_children_in_need_2013_to_2025.csv" in str(exc.value)
