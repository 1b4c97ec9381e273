"""CIN census loader: mapping of every element, layouts 2017-2026, several years merged,
the data-quality account, and the real sample files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csc_workbench.io import cin_census
from csc_workbench.quality import LoadAccount

T = pd.Timestamp


def cin_xml(children: str, year: int | None = 2025, lea: str = "901", header: bool = True) -> str:
    head = ""
    if header:
        head = f"""<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>
<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source></Header>"""
    return f'<?xml version="1.0" encoding="utf-8"?>\n<Message>{head}\n<Children>\n{children}\n</Children>\n</Message>\n'


def child(cid: str, cin: str, ids: str = "<Sex>F</Sex>", chars: str = "<Ethnicity>WBRI</Ethnicity>") -> str:
    return (f"<Child><ChildIdentifiers><LAchildID>{cid}</LAchildID>{ids}</ChildIdentifiers>"
            f"<ChildCharacteristics>{chars}</ChildCharacteristics>{cin}</Child>")


def episode(date: str, inner: str = "", nfa: str = "0", extra: str = "") -> str:
    return (f"<CINdetails><CINreferralDate>{date}</CINreferralDate><ReferralSource>6</ReferralSource>"
            f"{extra}{inner}<ReferralNFA>{nfa}</ReferralNFA></CINdetails>")


def load(tmp_path: Path, *texts: str, authority: str = "901", names=None):
    paths = []
    for i, text in enumerate(texts):
        p = tmp_path / (names[i] if names else f"cin_{i}.xml")
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    acc = LoadAccount(authority)
    ds = cin_census.read(paths, authority, acc)
    return ds, acc, paths


def issues(acc: LoadAccount, rule: str | None = None) -> pd.DataFrame:
    df = acc.issues()
    return df[df["rule"] == rule] if rule else df


# ---------------------------------------------------------------------------------------
# every element of the census, from liia-tools' sample (values read off the file by hand)
# ---------------------------------------------------------------------------------------
def test_every_element_of_the_liia_sample_maps_to_the_canonical_model(samples_dir):
    acc = LoadAccount("201")
    ds = cin_census.read([samples_dir / "cin_census" / "liia_tools_cin-2022.xml"], "201", acc)
    ds.validate()
    p = ds.persons.iloc[0]
    assert (p.child_id, p.sex, p.ethnicity, p.disabled) == ("DfEX0000001", "M", "WBRI", True)
    assert (p.dob, p.expected_dob, p.death_date) == (T("1966-03-24"), T("1966-03-22"), T("1980-10-08"))
    r = ds.referrals.iloc[0]
    assert r.referral_id == "DfEX0000001/19701006"
    assert (r.referral_date, r.referral_source, r.primary_need) == (T("1970-10-06"), "1A", "N4")
    assert (r.closure_date, r.closure_reason, r.nfa) == (T("1971-02-27"), "RC1", False)
    a = ds.assessments.iloc[0]
    assert (a.referral_id, a.start_date, a.authorised_date, a.factors) == (
        "DfEX0000001/19701006", T("1970-06-03"), T("1971-07-18"), "2A,2B")
    assert pd.isna(a.outcome) and pd.isna(a.child_seen) and pd.isna(a.team_id) and pd.isna(a.worker_id)
    cp = ds.cin_plans.iloc[0]
    assert (cp.start_date, cp.end_date, cp.referral_id) == (T("1971-01-24"), T("1971-01-26"), "DfEX0000001/19701006")
    s = ds.s47.iloc[0]
    assert (s.s47_id, s.start_date, s.icpc_target_date, s.icpc_not_required) == (
        "DfEX0000001/19700602", T("1970-06-02"), T("1970-06-23"), False)
    # Two conferences: one at CINdetails level (no S47), one inside the Section47 block.
    icpcs = ds.icpcs.sort_values("icpc_date").reset_index(drop=True)
    assert icpcs["icpc_date"].tolist() == [T("1970-06-17"), T("1970-12-06")]
    assert icpcs["s47_id"].tolist()[0] == "DfEX0000001/19700602" and pd.isna(icpcs["s47_id"][1])
    assert icpcs["cp_plan"].tolist() == [False, False]  # the plan started 1970-02-17, on neither day
    plan = ds.cp_plans.iloc[0]
    assert (plan.cpp_id, plan.start_date, plan.end_date) == ("DfEX0000001/19700217", T("1970-02-17"), T("1971-03-14"))
    assert (plan.initial_category, plan.latest_category, plan.previous_plans) == ("PHY", "PHY", 10)
    rv = ds.cp_reviews.iloc[0]
    assert (rv.cpp_id, rv.review_date) == ("DfEX0000001/19700217", T("1971-02-15"))
    acc.check_balanced()
    # The sample's dates are nonsense (a plan before its referral): warned, nothing lost.
    assert set(acc.issues()["rule"]) == {"before_referral"}
    assert acc.summary()["rejected"].sum() == 0


# ---------------------------------------------------------------------------------------
# layouts
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ids,expected", [
    ("<GenderCurrent>1</GenderCurrent>", "M"), ("<GenderCurrent>2</GenderCurrent>", "F"),
    ("<GenderCurrent>0</GenderCurrent>", "U"), ("<GenderCurrent>9</GenderCurrent>", "U"),
    ("<Sex>M</Sex>", "M"), ("<Sex>F</Sex>", "F"), ("<Sex>U</Sex>", "U"), ("<Sex> f </Sex>", "F"),
])
def test_sex_from_gender_current_and_sex_layouts(tmp_path, ids, expected):
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", episode("2024-05-01"), ids=ids)))
    assert ds.persons["sex"].tolist() == [expected]
    assert issues(acc).empty


@pytest.mark.parametrize("ids,expected", [("<Sex>1</Sex>", "M"), ("<GenderCurrent>F</GenderCurrent>", "F"),
                                          ("<Sex>Female</Sex>", "F")])
def test_sex_in_the_other_layouts_code_is_read_and_counted_as_fixed(tmp_path, ids, expected):
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", episode("2024-05-01"), ids=ids)))
    assert ds.persons["sex"].tolist() == [expected]
    assert issues(acc, "sex_code_layout")["action"].tolist() == ["fixed"]
    assert acc.summary().set_index("table").loc["persons", "fixed"] == 1


def test_unknown_sex_code_is_blank_with_a_warning(tmp_path):
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", episode("2024-05-01"), ids="<Sex>Q</Sex>")))
    assert ds.persons["sex"].isna().all()
    bad = issues(acc, "unknown_code")
    assert bad[["table", "column", "action"]].values.tolist() == [["persons", "Sex", "warning"]]


@pytest.mark.parametrize("raw,expected", [("true", True), ("false", False), ("1", True), ("0", False),
                                          (" TRUE ", True), ("False", False)])
def test_referral_nfa_true_false_or_one_zero(tmp_path, raw, expected):
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", episode("2024-05-01", nfa=raw))))
    assert ds.referrals["nfa"].tolist() == [expected]
    assert issues(acc).empty


def test_unreadable_nfa_is_blank_with_a_warning(tmp_path):
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", episode("2024-05-01", nfa="maybe"))))
    assert ds.referrals["nfa"].isna().all()
    assert issues(acc, "unknown_code")["column"].tolist() == ["ReferralNFA"]


def test_optional_blocks_absent_and_extra_whitespace(tmp_path):
    text = cin_xml("""
      <Child>
        <ChildIdentifiers>
           <LAchildID>
              W1
           </LAchildID>
           <PersonBirthDate>  2019-02-03 </PersonBirthDate>
           <Sex>M</Sex>
        </ChildIdentifiers>
        <ChildCharacteristics><Ethnicity> wbri </Ethnicity></ChildCharacteristics>
        <CINdetails>
           <CINreferralDate>
              2024-07-08
           </CINreferralDate>
           <ReferralSource> 5a </ReferralSource>
           <ReferralNFA>false</ReferralNFA>
        </CINdetails>
      </Child>""")
    ds, acc, _ = load(tmp_path, text)
    p, r = ds.persons.iloc[0], ds.referrals.iloc[0]
    assert (p.child_id, p.dob, p.ethnicity) == ("W1", T("2019-02-03"), "WBRI")
    assert pd.isna(p.disabled)  # no <Disabilities> block: not known
    assert (r.referral_id, r.referral_date, r.referral_source) == ("W1/20240708", T("2024-07-08"), "5A")
    assert pd.isna(r.closure_date) and pd.isna(r.primary_need)
    for table in ("assessments", "s47", "icpcs", "cp_plans", "cp_reviews", "cin_plans"):
        assert ds[table].empty
    assert issues(acc).empty


@pytest.mark.parametrize("codes_xml,expected", [
    ("<Disability>NONE</Disability>", False),
    ("<Disability>AUT</Disability><Disability>LD</Disability>", True),
    ("<Disability>NONE</Disability><Disability>HEAR</Disability>", True),  # contradictory: warned
])
def test_disabilities(tmp_path, codes_xml, expected):
    chars = f"<Ethnicity>WBRI</Ethnicity><Disabilities>{codes_xml}</Disabilities>"
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", episode("2024-05-01"), chars=chars)))
    assert ds.persons["disabled"].tolist() == [expected]
    assert len(issues(acc, "none_with_other")) == (1 if "NONE" in codes_xml and expected else 0)


def test_codes_with_closed_lists_blank_unknowns_others_are_kept(tmp_path):
    plan = ("<ChildProtectionPlans><CPPstartDate>2024-06-01</CPPstartDate><InitialCategoryOfAbuse>Neglect"
            "</InitialCategoryOfAbuse><LatestCategoryOfAbuse>emo</LatestCategoryOfAbuse>"
            "<NumberOfPreviousCPP>two</NumberOfPreviousCPP></ChildProtectionPlans>")
    ep = episode("2024-05-01", inner="", extra="<PrimaryNeedCode>N99</PrimaryNeedCode>").replace(
        "</CINdetails>", plan + "</CINdetails>")
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", ep)))
    p = ds.cp_plans.iloc[0]
    assert pd.isna(p.initial_category) and p.latest_category == "EMO" and pd.isna(p.previous_plans)
    assert ds.referrals["primary_need"].tolist() == ["N99"]  # kept as written
    found = issues(acc).set_index("column")
    assert found.loc["InitialCategoryOfAbuse", "rule"] == "unknown_code"
    assert found.loc["PrimaryNeedCode", "rule"] == "unknown_code"
    assert found.loc["NumberOfPreviousCPP", "rule"] == "bad_number"
    assert (found["action"] == "warning").all()


def test_records_link_to_the_episode_they_sit_in(tmp_path):
    first = episode("2023-05-01", extra="<CINclosureDate>2023-09-01</CINclosureDate><ReasonForClosure>RC7"
                    "</ReasonForClosure>", inner=(
        "<Assessments><AssessmentActualStartDate>2023-05-02</AssessmentActualStartDate></Assessments>"))
    second = episode("2024-05-01", inner=(
        "<Assessments><AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>"
        "<AssessmentAuthorisationDate>2024-06-10</AssessmentAuthorisationDate>"
        "<FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors>"
        "<AssessmentFactors> 4b </AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>"
        "<CINPlanDates><CINPlanStartDate>2024-06-11</CINPlanStartDate></CINPlanDates>"
        "<Section47><S47ActualStartDate>2024-05-03</S47ActualStartDate><DateOfInitialCPC>2024-05-20"
        "</DateOfInitialCPC><ICPCnotRequired>false</ICPCnotRequired></Section47>"))
    second = second.replace("</CINdetails>", (
        "<ChildProtectionPlans><CPPstartDate>2024-05-20</CPPstartDate><CPPendDate>2024-06-10</CPPendDate>"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews><CPPreviewDate>2024-06-01</CPPreviewDate>"
        "<CPPreviewDate>2024-06-08</CPPreviewDate></Reviews></ChildProtectionPlans></CINdetails>"))
    ds, acc, _ = load(tmp_path, cin_xml(child("K9", first + second)))
    a = ds.assessments.sort_values("start_date")
    assert a["referral_id"].tolist() == ["K9/20230501", "K9/20240501"]
    assert a["factors"].tolist()[1] == "3A,4B"
    assert ds.s47["referral_id"].tolist() == ["K9/20240501"]
    assert ds.icpcs[["referral_id", "s47_id", "cp_plan"]].values.tolist() == [["K9/20240501", "K9/20240503", True]]
    assert ds.cp_plans["referral_id"].tolist() == ["K9/20240501"]
    assert ds.cp_reviews.sort_values("review_date")["cpp_id"].tolist() == ["K9/20240520"] * 2
    assert ds.cin_plans["referral_id"].tolist() == ["K9/20240501"]
    refs = ds.referrals.sort_values("referral_date")
    assert refs["closure_reason"].tolist()[0] == "RC7" and pd.isna(refs["closure_reason"].tolist()[1])
    acc.check_balanced()


def test_namespaced_file_loads(tmp_path):
    text = cin_xml(child("N1", episode("2024-05-01"))).replace("<Message>", '<Message xmlns="http://example.org/cin">')
    ds, acc, _ = load(tmp_path, text)
    assert ds.persons["child_id"].tolist() == ["N1"] and len(ds.referrals) == 1


def test_unexpected_elements_are_warned_once_per_element(tmp_path):
    ep = episode("2024-05-01", extra="<Mystery>1</Mystery>")
    ds, acc, _ = load(tmp_path, cin_xml(child("X1", ep) + child("X2", ep)))
    hit = issues(acc, "unknown_element")
    assert len(hit) == 1 and "2 occurrences" in hit["message"].iloc[0]
    assert hit["row"].iloc[0].startswith("Child[1]/CINdetails[1]/Mystery, line ")
    assert len(ds.referrals) == 2


def test_row_references_give_xml_path_and_line(tmp_path):
    text = cin_xml(child("X1", episode("2024-05-01")) + "\n" + child(
        "X2", episode("2024-05-01") + episode("2024-13-45")))
    _, acc, _ = load(tmp_path, text)
    bad = issues(acc, "bad_date")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "2024-13-45" in t)
    assert bad["row"].tolist() == [f"Child[2]/CINdetails[2], line {line}"]
    assert bad[["table", "column", "action"]].values.tolist() == [["referrals", "CINreferralDate", "rejected"]]


# ---------------------------------------------------------------------------------------
# several census years merged into one history
# ---------------------------------------------------------------------------------------
def test_years_merge_later_census_wins_whatever_the_order_given(tmp_path):
    y2024 = cin_xml(child("H1", episode("2024-02-01", inner=(
        "<Assessments><AssessmentActualStartDate>2024-02-02</AssessmentActualStartDate></Assessments>"))),
        year=2024)
    y2025 = cin_xml(child("H1", episode(
        "2024-02-01", extra="<CINclosureDate>2024-06-30</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>",
        inner=("<Assessments><AssessmentActualStartDate>2024-02-02</AssessmentActualStartDate>"
               "<AssessmentAuthorisationDate>2024-04-12</AssessmentAuthorisationDate></Assessments>"))
        + episode("2025-01-15"), ids="<Sex>F</Sex>"), year=2025)
    # The later census is given first: precedence comes from the header, not the list.
    ds, acc, (p2025, p2024) = load(tmp_path, y2025, y2024, names=["b.xml", "a.xml"])
    refs = ds.referrals.sort_values("referral_date")
    assert refs["closure_date"].tolist()[0] == T("2024-06-30")
    assert len(refs) == 2 and len(ds.persons) == 1
    assert ds.assessments["authorised_date"].tolist() == [T("2024-04-12")]
    sup = issues(acc, "superseded_by_later_file")
    assert sorted(sup["table"].tolist()) == ["assessments", "persons", "referrals"]
    assert set(sup["file"]) == {str(p2024)} and (sup["action"] == "fixed").all()
    # The account explains the difference between rows loaded and rows in the history.
    s = acc.summary().groupby("table")[["rows_read", "loaded", "rejected", "fixed"]].sum()
    assert s.loc["referrals", "loaded"] - len(sup[sup["table"] == "referrals"]) == len(ds.referrals)
    assert s.loc["persons", "loaded"] - 1 == len(ds.persons)
    acc.check_balanced()


def test_file_without_header_takes_its_year_from_its_dates(tmp_path):
    old = cin_xml(child("H1", episode("2023-05-01")), year=2023)
    undated = cin_xml(child("H1", episode("2023-05-01", extra="<PrimaryNeedCode>N2</PrimaryNeedCode>")),
                      header=False)
    ds, acc, _ = load(tmp_path, undated, old)
    # The header-less file's latest date is in 2023-24, so it is the later census.
    assert ds.referrals["primary_need"].tolist() == ["N2"]
    assert set(issues(acc)["rule"]) >= {"header_missing", "header_year", "superseded_by_later_file"}


# ---------------------------------------------------------------------------------------
# the real samples
# ---------------------------------------------------------------------------------------
SAMPLES = ["liia_tools_cin-2022.xml", "d2i_fake_data/CIN_Census_2021.xml", "d2i_fake_data/CIN_Census_2026.xml",
           "d2i_fake_data/CIN_header_issues_100.xml", "d2i_fake_data/fake_CIN_data.xml"]


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_loads_with_a_balanced_account(samples_dir, name):
    path = samples_dir / "cin_census" / name
    assert cin_census.sniff(path)
    acc = LoadAccount("201")
    ds = cin_census.read([path], "201", acc)
    ds.validate()
    summary = acc.summary()
    assert (summary["rows_read"] == summary["loaded"] + summary["rejected"]).all()
    # Every element counted: rows read = elements in the file, counted here by text search.
    text = path.read_text()
    per_table = summary.set_index("table")["rows_read"]
    assert per_table["persons"] == text.count("<Child>")
    assert per_table["referrals"] == text.count("<CINdetails>")
    assert per_table["assessments"] == text.count("<Assessments>")
    assert per_table["cp_reviews"] == text.count("<CPPreviewDate>")
    assert per_table["icpcs"] == text.count("<DateOfInitialCPC>")
    # Rows in the dataset = loaded - merged duplicates, for every table.
    fixes = acc.issues()
    merged = fixes[fixes["rule"].isin(["duplicate_in_file", "superseded_by_later_file"])].groupby("table").size()
    for table, loaded in summary.set_index("table")["loaded"].items():
        if table != "header":
            assert len(ds[table]) == loaded - merged.get(table, 0), table


def test_fake_cin_data_yields_its_332_children(samples_dir):
    acc = LoadAccount("975")
    ds = cin_census.read([samples_dir / "cin_census" / "d2i_fake_data" / "fake_CIN_data.xml"], "975", acc)
    assert ds.persons["child_id"].nunique() == 332
    assert acc.summary()["rejected"].sum() == 0
    assert len(ds.referrals) == 402


def test_header_problems_are_warnings_not_failures(samples_dir):
    acc = LoadAccount("201")
    ds = cin_census.read([samples_dir / "cin_census" / "d2i_fake_data" / "CIN_header_issues_100.xml"], "201", acc)
    hdr = issues(acc, "header_reference_date")
    assert hdr["column"].tolist() == ["ReferenceDate"] and "2023-03-28" in hdr["message"].iloc[0]
    assert len(ds.persons) == 1


# ---------------------------------------------------------------------------------------
# sniffing
# ---------------------------------------------------------------------------------------
def test_sniff_tells_cin_census_from_other_files(tmp_path, samples_dir):
    assert cin_census.sniff(samples_dir / "cin_census" / "d2i_fake_data" / "fake_CIN_data.xml")
    assert not cin_census.sniff(samples_dir / "ssda903" / "d2i_fake_data" / "fake_903.xml")
    assert not cin_census.sniff(samples_dir / "ssda903" / "d2i_fake_data" / "episodes.csv")
    assert not cin_census.sniff(samples_dir / "annex_a" / "liia_tools_Annex_A.xlsx")
    headerless = tmp_path / "h.xml"
    headerless.write_text(cin_xml(child("X1", episode("2024-05-01")), header=False))
    assert cin_census.sniff(headerless)
    utf16 = tmp_path / "u.xml"
    utf16.write_bytes(cin_xml(child("X1", episode("2024-05-01"))).replace('"utf-8"', '"UTF-16"').encode("utf-16"))
    assert cin_census.sniff(utf16)
    assert not cin_census.sniff(tmp_path / "missing.xml")
    assert cin_census.KIND == "cin_census"


def test_streaming_reads_each_child_once_and_keeps_no_tree(tmp_path, monkeypatch):
    """The pass drops every <Child> once read: <Children> never holds more than the parser's
    read-ahead (a few KB of XML), however long the file."""
    from csc_workbench.io.cin_census import reader

    seen = []
    original = reader._read_child

    def spy(el, n, raw):
        seen.append(len(el.getparent()))  # children still attached to <Children>
        return original(el, n, raw)

    monkeypatch.setattr(reader, "_read_child", spy)
    load(tmp_path, cin_xml("".join(child(f"S{i}", episode("2024-05-01")) for i in range(3000))))
    assert len(seen) == 3000
    assert max(seen) < 300  # would be 3000 if the tree were kept


def test_small_chunks_and_batches_give_the_same_load(samples_dir, tmp_path, monkeypatch):
    """Large files are read in chunks of children and processed in batches: the result
    and the account must not depend on where the boundaries fall."""
    from csc_workbench.io.cin_census import reader

    fake = samples_dir / "cin_census" / "d2i_fake_data" / "fake_CIN_data.xml"
    second = tmp_path / "second.xml"
    second.write_text(fake.read_text().replace("<Year>2022</Year>", "<Year>2023</Year>"))
    paths = [fake, second, samples_dir / "cin_census" / "liia_tools_cin-2022.xml"]

    def run():
        acc = LoadAccount("975")
        return cin_census.read(paths, "975", acc), acc

    whole, acc_whole = run()
    monkeypatch.setattr(reader, "_CHUNK", 50)
    monkeypatch.setattr(reader, "_BATCH_ROWS", 400)
    parts, acc_parts = run()
    for table in ("persons", "referrals", "icpcs", "assessments", "cp_plans"):
        pd.testing.assert_frame_equal(parts[table], whole[table], obj=table)
    by = ["file", "table"]
    pd.testing.assert_frame_equal(acc_parts.summary().sort_values(by, ignore_index=True),
                                  acc_whole.summary().sort_values(by, ignore_index=True))
    key = ["file", "table", "row", "rule"]
    pd.testing.assert_frame_equal(acc_parts.issues().sort_values(key, ignore_index=True),
                                  acc_whole.issues().sort_values(key, ignore_index=True))
    assert len(whole.persons) == 333 and (acc_whole.issues()["rule"] == "superseded_by_later_file").any()
