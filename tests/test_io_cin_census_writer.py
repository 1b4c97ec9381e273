"""CIN census writer: which records go in which year's file, each year's layout, and
validity against DfE's XSDs."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import etree

from cin_census_cases import AUTHORITY, realistic_dataset
from csc_workbench.io.cin_census import default_years, write_cin_census

T = pd.Timestamp


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("cin_out")
    paths = write_cin_census(realistic_dataset(), out)
    return {int(p.stem.rsplit("_", 1)[1]): p for p in paths}


def tree(path):
    return etree.parse(str(path))


def child_el(doc, cid):
    hits = doc.xpath(f"//Child[ChildIdentifiers/LAchildID='{cid}']")
    assert len(hits) <= 1
    return hits[0] if hits else None


def texts(el, xpath):
    return [e.text for e in el.xpath(xpath)]


def test_one_file_per_year_named_by_authority_and_year(written):
    assert sorted(written) == [2024, 2025, 2026]  # first referral 2023-05, latest date 2026-02
    assert written[2025].name == f"cin_census_{AUTHORITY}_2025.xml"
    assert default_years(realistic_dataset()) == [2024, 2025, 2026]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_files_validate_against_dfe_xsd(written, reference_dir, year):
    xsd = etree.XMLSchema(etree.parse(str(reference_dir / "samples" / "cin_census" / "xsd" / f"CIN_schema_{year}.xsd")))
    doc = tree(written[year])
    assert xsd.validate(doc), [str(e) for e in xsd.error_log][:5]


def test_xsd_check_is_not_vacuous(written, reference_dir):
    """The 2024 file (GenderCurrent) must fail the 2025 schema (Sex): the layouts differ."""
    xsd = etree.XMLSchema(etree.parse(str(reference_dir / "samples" / "cin_census" / "xsd" / "CIN_schema_2025.xsd")))
    assert not xsd.validate(tree(written[2024]))


def test_header(written):
    doc = tree(written[2025])
    assert texts(doc, "/Message/Header/CollectionDetails/*") == ["CIN", "2025", "2025-03-31"]
    assert texts(doc, "/Message/Header/Source/LEA") == [AUTHORITY]
    assert texts(doc, "/Message/Header/Source/SourceLevel") == ["L"]


def test_layout_gender_current_up_to_2024_sex_after(written):
    y24, y25 = tree(written[2024]), tree(written[2025])
    assert texts(child_el(y24, "C001"), "ChildIdentifiers/GenderCurrent") == ["2"]
    assert not y24.xpath("//Sex")
    assert texts(child_el(y25, "C001"), "ChildIdentifiers/Sex") == ["F"]
    assert not y25.xpath("//GenderCurrent")
    assert set(texts(y25, "//ReferralNFA")) <= {"0", "1"}


def test_children_with_an_episode_open_in_the_year(written):
    ids = {y: sorted(texts(tree(p), "//LAchildID")) for y, p in written.items()}
    # C009's episode (Oct 2023 - 25 Apr 2024) is open in 2023-24 and 2024-25, not 2025-26.
    assert "C009" in ids[2024] and "C009" in ids[2025] and "C009" not in ids[2026]
    # C007 is referred in April 2025: only the 2025-26 file.
    assert [y for y in ids if "C007" in ids[y]] == [2026]
    # C001 is open from May 2023 to 14 March 2025.
    assert [y for y in ids if "C001" in ids[y]] == [2024, 2025]


def test_nfa_referral_without_closure_belongs_to_its_own_year_only(tmp_path):
    ds = realistic_dataset()
    refs = ds.referrals.copy()
    refs.loc[refs["referral_id"] == "R2", "closure_date"] = pd.NaT  # NFA on 2023-07-03, never closed
    ds["referrals"] = refs
    paths = {int(p.stem[-4:]): p for p in write_cin_census(ds, tmp_path)}
    c002 = {y: texts(child_el(tree(p), "C002"), "CINdetails/CINreferralDate") if child_el(tree(p), "C002") is not None
            else [] for y, p in paths.items()}
    assert c002 == {2024: ["2023-07-03"], 2025: ["2024-11-18"], 2026: []}


def test_dates_after_the_reference_date_are_not_yet_known(written):
    y24, y25 = tree(written[2024]), tree(written[2025])
    # C001's plan ends 2024-09-12 and the case closes 2025-03-14.
    c1_24, c1_25 = child_el(y24, "C001"), child_el(y25, "C001")
    assert texts(c1_24, "CINdetails/ChildProtectionPlans/CPPendDate") == []
    assert texts(c1_25, "CINdetails/ChildProtectionPlans/CPPendDate") == ["2024-09-12"]
    assert texts(c1_24, "CINdetails/CINclosureDate") == [] and texts(c1_24, "CINdetails/ReasonForClosure") == []
    assert texts(c1_25, "CINdetails/CINclosureDate") == ["2025-03-14"]
    # Reviews are those held in the year.
    assert texts(c1_24, ".//CPPreviewDate") == ["2023-08-31", "2024-02-29"]
    assert texts(c1_25, ".//CPPreviewDate") == ["2024-08-29"]


def test_unborn_child_has_expected_date_and_sex_unknown_until_born(written):
    c3_24, c3_25 = child_el(tree(written[2024]), "C003"), child_el(tree(written[2025]), "C003")
    assert texts(c3_24, "ChildIdentifiers/ExpectedPersonBirthDate") == ["2024-05-28"]
    assert texts(c3_24, "ChildIdentifiers/PersonBirthDate") == []
    assert texts(c3_24, "ChildIdentifiers/GenderCurrent") == ["0"]
    assert texts(c3_25, "ChildIdentifiers/PersonBirthDate") == ["2024-05-20"]
    assert texts(c3_25, "ChildIdentifiers/ExpectedPersonBirthDate") == []
    assert texts(c3_25, "ChildIdentifiers/Sex") == ["F"]


def test_assessment_authorised_after_year_end_has_no_factors_yet(tmp_path):
    ds = realistic_dataset()
    a = ds.assessments.copy()
    a.loc[a["assessment_id"] == "A3", "authorised_date"] = T("2024-04-10")  # C003, started 2024-02-13
    ds["assessments"] = a
    paths = {int(p.stem[-4:]): p for p in write_cin_census(ds, tmp_path, years=[2024, 2025])}
    a24 = child_el(tree(paths[2024]), "C003").xpath("CINdetails/Assessments")[0]
    a25 = child_el(tree(paths[2025]), "C003").xpath("CINdetails/Assessments")[0]
    assert texts(a24, "*") == ["2024-02-13"]  # start only: no authorisation, no factors
    assert texts(a25, "AssessmentAuthorisationDate") == ["2024-04-10"]
    assert texts(a25, ".//AssessmentFactors") == ["1B", "3B"]


def test_s47_icpc_and_plan_nesting(written):
    c6 = child_el(tree(written[2025]), "C006")
    ep = c6.xpath("CINdetails[CINreferralDate='2025-01-06']")[0]
    assert [e.tag for e in ep] == ["CINreferralDate", "ReferralSource", "PrimaryNeedCode", "Assessments",
                                   "Section47", "ReferralNFA", "ChildProtectionPlans"]
    assert texts(ep, "Section47/*") == ["2025-01-08", "2025-01-29", "2025-01-28", "0"]
    assert texts(ep, "ChildProtectionPlans/*[not(self::Reviews)]") == ["2025-01-28", "PHY", "EMO", "1"]
    # C011's conference followed an S47 done elsewhere: recorded at CINdetails level.
    c11 = child_el(tree(written[2025]), "C011")
    assert texts(c11, "CINdetails/DateOfInitialCPC") == ["2024-12-19"] and not c11.xpath(".//Section47")


def test_optional_blocks_are_omitted_when_empty(written):
    y25 = tree(written[2025])
    c2 = child_el(y25, "C002")  # disability not recorded, no plans, no S47
    assert not c2.xpath(".//Disabilities") and not c2.xpath(".//Section47")
    assert not c2.xpath(".//ChildProtectionPlans") and not c2.xpath(".//CINPlanDates")
    assert texts(child_el(y25, "C004"), ".//Disability") == ["DDA"]
    assert texts(child_el(y25, "C005"), ".//Disability") == ["NONE"]
    assert not y25.xpath("//*[not(*) and normalize-space(text())='']")  # no empty elements


def test_records_without_ids_attach_to_the_latest_episode_by_date(tmp_path):
    ds = realistic_dataset()
    a = ds.assessments.copy()
    a["referral_id"] = None  # e.g. data from a source that does not link them
    ds["assessments"] = a
    paths = {int(p.stem[-4:]): p for p in write_cin_census(ds, tmp_path, years=[2025])}
    c2 = child_el(tree(paths[2025]), "C002")
    assert texts(c2, "CINdetails[CINreferralDate='2024-11-18']/Assessments/AssessmentActualStartDate") == [
        "2024-11-19"]


def test_authority_code_must_be_a_three_digit_lea_unless_mapped(tmp_path):
    ds = realistic_dataset()
    renamed = {name: df.assign(authority="SYN1") for name, df in ds.items() if len(df)}
    from csc_workbench.model.dataset import Dataset

    ds2 = Dataset(renamed)
    with pytest.raises(ValueError, match="three-digit"):
        write_cin_census(ds2, tmp_path)
    paths = write_cin_census(ds2, tmp_path, years=[2025], lea={"SYN1": "990"})
    assert texts(tree(paths[0]), "//LEA") == ["990"] and paths[0].name == "cin_census_SYN1_2025.xml"


def test_text_is_escaped(tmp_path):
    ds = realistic_dataset()
    p = ds.persons.copy()
    p.loc[p["child_id"] == "C004", "ethnicity"] = "A&B"  # not a real code, but must stay well-formed
    ds["persons"] = p
    path = write_cin_census(ds, tmp_path, years=[2025])[0]
    assert texts(child_el(tree(path), "C004"), ".//Ethnicity") == ["A&B"]
