"""What an Ofsted Annex A workbook holds: the eleven lists, their headers and lettered codes.

Headers and codes follow Ofsted's ILACS Annex A as councils produce it (the forms used by
Data to Insight's SSD Annex A queries and Social Finance's liia-tools Annex A schema, and the
sample workbook in ``../shared/reference/samples/annex_a``). The writer uses ``header`` and
the lettered texts; the reader matches headers by meaning (``pattern`` on a normalised
header: lower case, punctuation, brackets and quotes removed) and accepts a code as the
lettered text, the bare code or its label.

List 9 (care leavers) is written in the 2023 layout (UASC, personal adviser, pathway plan
review and latest contact dates); the reader also accepts the older layout without them.

Columns Annex A carries that the canonical model does not hold (``kind="ignore"``): age
(derived from the date of birth), counts of S47s / ICPCs in the last 12 months (derived),
case status (used only to type the "last seen" visit), the EPO/police-protection flag,
second period of care flag, permanence plan, IRO visit, placement location and LA,
return-interview flags, and List 10's adoptive family identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import codes


@dataclass(frozen=True)
class Field:
    name: str  # internal name used by the reader and writer
    header: str  # Ofsted's header, as written
    pattern: str  # regex searched in the normalised header
    kind: str = "text"  # id, date, int, bool, code:<set>, name, text, ignore
    required: bool = False
    exclude: str | None = None  # regex that disqualifies a header otherwise matching


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    fields: tuple[Field, ...]
    used: bool = True  # False: read and accounted for, but no canonical table holds it
    not_used_reason: str = ""

    @property
    def sheet(self) -> str:
        return f"List {self.number}"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


# -- fields shared by the child lists -------------------------------------------------------
CHILD_ID = Field("child_id", "Child Unique ID",
                 r"child.*\bid\b|childid|unique id|identifier|^id$|person id|client id|lachildid",
                 kind="id", required=True, exclude=r"family|adopter")
SEX = Field("sex", "Gender", r"^(gender|sex)\b", kind="code:sex")
ETHNICITY = Field("ethnicity", "Ethnicity", r"^ethnic", kind="code:ethnicity")
DOB = Field("dob", "Date of Birth", r"birth|^dob$", kind="date")
AGE = Field("age", "Age of Child (Years)", r"^age\b", kind="ignore")
DISABLED = Field("disabled", "Does the Child have a Disability", r"disab", kind="bool")
TEAM = Field("team", "Allocated Team", r"\bteam\b", kind="name")
WORKER = Field("worker", "Allocated Worker", r"\bworker\b", kind="name", exclude=r"personal advi")

PERSON = (CHILD_ID, SEX, ETHNICITY, DOB, AGE)


def _list(number: int, title: str, *fields: Field, used: bool = True, reason: str = "") -> ListSpec:
    return ListSpec(number, title, tuple(fields), used, reason)


# Fields are in Ofsted's column order (the writer's order). The reader matches each field to
# a header by ``pattern`` minus ``exclude``, most constrained field first.
LISTS: dict[int, ListSpec] = {spec.number: spec for spec in (
    _list(1, "contacts", *PERSON,
          Field("contact_date", "Date of Contact", r"contact", kind="date", required=True, exclude=r"source"),
          Field("source", "Contact Source", r"source", kind="code:source")),
    _list(2, "early help assessments", *PERSON,
          Field("eh_start", "Assessment start date", r"start", kind="ignore"),
          Field("eh_end", "Assessment completion date", r"complet|\bend", kind="ignore"),
          Field("eh_org", "Organisation completing assessment", r"organi[sz]ation", kind="ignore"),
          used=False,
          reason=("early help assessments are not children's social care assessments (not in the "
                  "CIN census or any measure), so the workbench holds no table for them")),
    _list(3, "referrals", *PERSON,
          Field("referral_date", "Date of referral", r"referral", kind="date", required=True,
                exclude=r"source|\bnfa\b|no further|number|last 12"),
          Field("referral_source", "Referral Source", r"source", kind="code:source"),
          Field("nfa", "Referral NFA?", r"\bnfa\b|no further action", kind="bool"),
          Field("previous_referrals_12m", "Number of Referrals in Last 12 Months",
                r"number|last 12", kind="int"),
          TEAM, WORKER),
    _list(4, "assessments", *PERSON, DISABLED,
          Field("start_date", "Continuous Assessment Start Date", r"start", kind="date", required=True),
          Field("child_seen", "Child Seen During Continuous Assessment", r"\bseen\b", kind="bool"),
          Field("authorised_date", "Continuous Assessment Date of Authorisation",
                r"authori[sz]|complet", kind="date", exclude=r"\bseen\b"),
          Field("requires_support", "Was the child assessed as requiring LA children's social care support?",
                r"requir|support|outcome", kind="bool"),
          TEAM, WORKER),
    _list(5, "section 47 enquiries and ICPCs", *PERSON, DISABLED,
          Field("s47_start", "Strategy discussion initiating Section 47 Enquiry Start Date",
                r"strategy|section 47|\bs ?47\b", kind="date", required=True, exclude=r"number"),
          Field("icpc_not_required", "Was an Initial Child Protection Conference deemed unnecessary?",
                r"unnecessary|not required|not needed", kind="bool"),
          Field("icpc_date", "Date of Initial Child Protection Conference",
                r"initial child protection conference|icpc", kind="date",
                exclude=r"unnecessary|not required|not needed|result|number"),
          Field("icpc_plan", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                r"result", kind="bool"),
          Field("s47_count", "Number of Section 47 Enquiries in the last 12 months",
                r"number of (section 47|s ?47)", kind="ignore"),
          Field("icpc_count", "Number of ICPCs in the last 12 months", r"number of (icpc|initial)", kind="ignore"),
          TEAM, WORKER),
    _list(6, "children in need", *PERSON, DISABLED,
          Field("cin_start", "CIN Start Date", r"start", kind="date", required=True),
          Field("primary_need", "Primary Need Code", r"need", kind="code:need"),
          Field("last_seen", "Date Child Was Last Seen", r"\bseen\b", kind="date"),
          Field("closure_date", "CIN Closure Date", r"clos", kind="date", exclude=r"reason"),
          Field("closure_reason", "Reason for Closure", r"reason", kind="code:closure"),
          Field("case_status", "Case Status", r"status", kind="code:case_status"),
          TEAM, WORKER),
    _list(7, "child protection plans", *PERSON, DISABLED,
          Field("start_date", "Child Protection Plan Start Date", r"start", kind="date", required=True),
          Field("initial_category", "Initial Category of Abuse", r"initial", kind="code:cp_category"),
          Field("latest_category", "Latest Category of Abuse", r"categor", kind="code:cp_category",
                exclude=r"initial"),
          Field("last_visit", "Date of the Last Statutory Visit", r"visit", kind="date"),
          Field("seen_alone", "Was the Child Seen Alone?", r"alone", kind="bool"),
          Field("review_date", "Date of latest review conference", r"review", kind="date"),
          Field("end_date", "Child Protection Plan End Date", r"end date|plan end|\bended\b", kind="date"),
          Field("epo", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
                r"emergency protection|police", kind="ignore"),
          Field("previous_plans", "Number of Previous Child Protection Plans", r"previous", kind="int"),
          TEAM, WORKER),
    _list(8, "children looked after", *PERSON,
          Field("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
                r"unaccompanied|uasc|asylum", kind="bool"),
          DISABLED,
          Field("cla_start", "Date Started to be Looked After",
                r"started to be looked after|date started|entered care|start.*looked after",
                kind="date", required=True, exclude=r"legal|placement"),
          Field("cin", "Child's Category of Need", r"need", kind="code:need"),
          Field("second_period", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
                r"second|subsequent", kind="ignore"),
          Field("ls_start", "Start date of current legal status",
                r"(start|date).*legal status|legal status.*(start|date)", kind="date"),
          Field("ls", "Child's Legal Status", r"legal status", kind="code:legal_status", exclude=r"start|date"),
          Field("review_date", "Date of Latest Statutory Review", r"review", kind="date"),
          Field("sw_visit", "Date of Last Social Work Visit", r"social work|visit", kind="date",
                exclude=r"\biro\b|health|dental"),
          Field("permanence_plan", "What is the permanence plan for this child?", r"permanence", kind="ignore"),
          Field("iro", "Date of Last IRO Visit / Contact to the Child", r"\biro\b|independent reviewing",
                kind="ignore"),
          Field("health_check", "Date of Last Health Assessment", r"health", kind="date", exclude=r"dental"),
          Field("dental_check", "Date of Last Dental Check", r"dental|teeth", kind="date"),
          Field("placements_12m", "Number of Placements in the Last 12 months", r"number of placements|placements in",
                kind="int"),
          Field("dec", "Date Ceased to be Looked After", r"ceased", kind="date", exclude=r"reason"),
          Field("rec", "Reason Ceased to be Looked After", r"reason", kind="code:rec"),
          Field("placement_start", "Start Date of Most Recent Placement", r"(start|date).*placement", kind="date",
                exclude=r"number|type|provider|postcode|urn|location|\bla\b|missing|absent|away"),
          Field("place", "Placement Type", r"placement type|type of placement", kind="code:place"),
          Field("place_provider", "Placement Provider", r"provider", kind="code:provider"),
          Field("pl_post", "Placement postcode", r"postcode|post code", kind="text"),
          Field("urn", "URN of Placement", r"\burn\b", kind="text"),
          Field("placement_location", "Placement Location", r"location", kind="ignore"),
          Field("la_of_placement", "LA of Placement", r"\bla\b.*placement|local authority.*placement",
                kind="ignore", exclude=r"location|type"),
          Field("missing_12m", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
                r"missing", kind="int", exclude=r"return interview"),
          Field("away_12m", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
                r"absent|away", kind="int", exclude=r"return interview"),
          Field("ri_offered", "Was the child offered a Return Interview after their last missing episode (Y/N)?",
                r"offered", kind="ignore"),
          Field("ri_accepted", "Did the child accept a Return Interview after their last missing episode (Y/N)?",
                r"accept", kind="ignore"),
          TEAM, WORKER),
    _list(9, "care leavers", *PERSON,
          Field("uasc", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
                r"unaccompanied|uasc|asylum", kind="bool"),
          DISABLED, TEAM, WORKER,
          Field("pa", "Allocated Personal Advisor", r"personal advi[sc]", kind="name"),
          Field("eligibility", "Eligibility Category", r"eligib", kind="code:eligibility"),
          Field("pathway_plan_date", "Latest Pathway Plan Review Date", r"pathway", kind="date"),
          Field("in_touch", "LA in Touch", r"in touch", kind="code:in_touch"),
          Field("latest_contact_date", "Latest Date of Contact", r"contact", kind="date", exclude=r"in touch"),
          Field("accommodation", "Type of Accommodation", r"accommodation", kind="code:accommodation",
                exclude=r"suitab"),
          Field("suitable", "Suitability of Accommodation", r"suitab", kind="code:suitability"),
          Field("activity", "Activity Status", r"activity", kind="code:activity")),
    _list(10, "adoption", CHILD_ID,
          Field("family_id", "Family identifier", r"family", kind="ignore"),
          SEX, ETHNICITY, DOB, AGE, DISABLED,
          Field("entered_care_date", "Date the Child Entered Care", r"entered care", kind="date"),
          Field("decision_date", "Date of Decision that Child Should be Placed for Adoption", r"decision",
                kind="date", required=True, exclude=r"no longer|reason"),
          Field("placement_order_date", "Date of Placement Order", r"placement order", kind="date"),
          Field("match_date", "Date of Matching Child and Prospective Adopters", r"match", kind="date"),
          Field("placed_date", "Date Placed for Adoption", r"placed for adoption|date placed", kind="date",
                exclude=r"decision|no longer|reason|fostering|\bffa\b"),
          Field("adoption_order_date", "Date of Adoption Order", r"adoption order", kind="date"),
          Field("stopped_date", "Date of Decision that Child Should No Longer be Placed for Adoption", r"no longer",
                kind="date", exclude=r"reason"),
          Field("stopped_reason", "Reason Why Child No Longer Placed for Adoption", r"reason",
                kind="code:adoption_stopped"),
          Field("ffa_date", "Date the child was placed for fostering in FFA or concurrent planning placement",
                r"\bffa\b|fostering|concurrent", kind="date")),
    _list(11, "adopters", *(
          Field(name, header, pattern, kind="ignore") for name, header, pattern in (
              ("adopter_id", "Individual adopter identifier", r"adopter.*identifier|adopter id"),
              ("family_id", "Family identifier", r"family"),
              ("sex", "Gender", r"^(gender|sex)"),
              ("ethnicity", "Ethnicity", r"^ethnic"),
              ("disability", "Disability", r"disab"),
              ("ffa", "Is the (prospective) adopter fostering for adoption?", r"fostering for adoption"),
              ("enquiry", "Date enquiry received", r"enquiry"),
              ("stage1_start", "Date Stage 1 started", r"stage 1 start"),
              ("stage1_end", "Date Stage 1 ended", r"stage 1 end"),
              ("stage2_start", "Date Stage 2 started", r"stage 2 start"),
              ("stage2_end", "Date Stage 2 ended", r"stage 2 end"),
              ("submitted", "Date application submitted", r"submitted"),
              ("approved", "Date application approved", r"approved"),
              ("matched", "Date adopter matched with child(ren)", r"matched"),
              ("placed", "Date child/children placed with adopter(s)", r"placed with"),
              ("n_placed", "No. of children placed", r"no of children|number of children"),
              ("order", "Date of Adoption Order", r"adoption order"),
              ("left", "Date of leaving adoption process", r"date of leaving"),
              ("left_reason", "Reason for leaving adoption process", r"reason for leaving"),
          )),
          used=False,
          reason=("adopters are adults, not children: the canonical model is child-level and no "
                  "measure uses adopter timeliness, so the workbench holds no table for them")),
)}

# The lists the workbench needs: a workbook without one of them cannot be loaded. Lists 2 and
# 11 are often produced by other services (early help, the regional adoption agency) and
# are not used, so their absence is only noted.
REQUIRED_LISTS = tuple(n for n, s in LISTS.items() if s.used)

# -- codes -----------------------------------------------------------------------------------
# Each code set: canonical code -> the text Ofsted's workbook shows. The reader also accepts
# the bare code, the label in ``csc_workbench.codes`` and the aliases below.

SEX_TEXT = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}

_ETH_LETTERS = "abcdefghijklmnopqrst"
ETHNICITY_TEXT = {code: f"{letter}) {code}" for letter, code in zip(_ETH_LETTERS, codes.ETHNICITY)}

SOURCE_TEXT = {
    "1A": "a) 1A: Individual", "1B": "b) 1B: Individual", "1C": "c) 1C: Individual",
    "1D": "d) 1D: Individual", "2A": "e) 2A: Schools", "2B": "f) 2B: Education services",
    "3A": "g) 3A: Health services", "3B": "h) 3B: Health services", "3C": "i) 3C: Health services",
    "3D": "j) 3D: Health services", "3E": "k) 3E: Health services", "3F": "l) 3F: Health services",
    "4": "m) 4: Housing", "5A": "n) 5A: LA services", "5B": "o) 5B: LA services",
    "5C": "p) 5C: LA services", "5D": "p1) 5D: LA services", "6": "q) 6: Police",
    "7": "r) 7: Other legal agency", "8": "s) 8: Other", "9": "t) 9: Anonymous", "10": "u) 10: Unknown",
}

YES_NO_TEXT = {"Y": "a) Yes", "N": "b) No", "U": "c) Unknown"}

NEED_TEXT = {
    "N1": "N1 - Abuse or neglect", "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness", "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction", "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income", "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need", "N0": "N0 - Not stated",
}

CLOSURE_TEXT = {
    "RC1": "RC1 - Adopted", "RC2": "RC2 - Died", "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}

CASE_STATUS_TEXT = {
    "cla": "a) Looked after child", "cp": "b) Child Protection plan", "cin": "c) Child in need plan",
    "assessment": "d) Open assessment", "closed": "e) Closed episode",
}

CP_CATEGORY_TEXT = {
    "NEG": "a) Neglect", "PHY": "b) Physical abuse", "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse", "MUL": "e) Multiple/not recommended",
}

LEGAL_STATUS_TEXT = {
    "C1": "C1: ICO", "C2": "C2: FCO", "D1": "D1: Freeing order", "E1": "E1: Placement order",
    "J1": "J1: Remanded to LA or youth detention", "J2": "J2: LA accommodation under PACE",
    "J3": "J3: Youth rehabilitation order", "L1": "L1: Police protection LA accommodation",
    "L2": "L2: EPO", "L3": "L3: Child assessment order LA accommodation",
    "V2": "V2: Single period under S20", "V3": "V3: Short term breaks, episodes recorded",
    "V4": "V4: Short term breaks, agreements recorded",
}

REC_TEXT = {
    "E11": "a) E11: Adopted - application unopposed", "E12": "b) E12: Adopted - consent dispensed",
    "E2": "c) E2: Died", "E3": "d) E3: Care taken by another LA",
    "E4A": "e) E4A: Returned home to live with parents or relatives - part of planning",
    "E4B": "f) E4B: Returned home to live with parents or relatives - not part of planning",
    "E13": "g) E13: Parents, relatives or other with no parental responsibility",
    "E41": "h) E41: Residence order granted",
    "E45": "i) E45: Special Guardianship Orders - former carer relative/friend",
    "E46": "j) E46: Special Guardianship Orders - former carer other",
    "E47": "k) E47: Special Guardianship Orders - relative/friend",
    "E48": "l) E48: Special Guardianship Orders - other",
    "E5": "m) E5: Moved into independent living - supported",
    "E6": "n) E6: Moved into independent living - no support",
    "E7": "o) E7: Transferred to residential care funded by adult social services",
    "E9": "p) E9: Sentenced to custody", "E14": "q) E14: Accommodation on remand ended",
    "E15": "r) E15: Age assessment determined child was 18 or over", "E16": "s) E16: Child moved abroad",
    "E8": "t) E8: Care ceased for any other reason",
    "E17": "v) E17: Aged 18+ and remained with current carers",
    # Not in Ofsted's lettered list: written as code and label.
    "E43": "E43: Special guardianship order made to former foster carers",
    "E44": "E44: Special guardianship order made to carers other than former foster carers",
}

PLACE_TEXT = {
    "U1": "a) U1: Foster placement - relatives - long term", "U2": "b) U2: Foster placement - relative - FFA",
    "U3": "c) U3: Foster placement - relative - not FFA", "U4": "d) U4: Foster placement - long term",
    "U5": "e) U5: Foster placement - FFA", "U6": "f) U6: Foster placement - not FFA",
    "A3": "g) A3: Placed for adoption - consent - current foster",
    "A4": "h) A4: Placed for adoption - consent - not foster",
    "A5": "i) A5: Placed for adoption - order - foster", "A6": "j) A6: Placed for adoption - order - not foster",
    "P1": "k) P1: Placed with parents", "P2": "l) P2: Independent living", "P3": "m) P3: Residential employment",
    "H5": "n) H5: Residential accommodation", "K1": "o) K1: Secure Children's Homes",
    "K2": "p) K2: Children's Homes", "R1": "q) R1: Residential Care Home", "R2": "r) R2: NHS/Health Trust",
    "R3": "s) R3: Family Centre or Mother and Baby Unit", "R5": "t) R5: Young Offender Institution",
    "S1": "u) S1: Residential school", "Z1": "v) Z1: Other placements", "T0": "w) T0: Temporary placement",
    "T1": "x) T1: Temporary placement - hospital", "T2": "y) T2: Temporary placement - holiday",
    "T3": "z) T3: Temporary placement - carer holiday", "T4": "zz) T4: Temporary placement - seven days or less",
    "K3": "K3: Supported accommodation (registered)", "K4": "K4: Supported accommodation (unregistered)",
}

PROVIDER_TEXT = {
    "PR0": "a) PR0: Parents/Parental responsibility", "PR1": "b) PR1: Own provision",
    "PR2": "c) PR2: Other LA provision", "PR3": "d) PR3: Other public provision",
    "PR4": "e) PR4: Private provision", "PR5": "f) PR5: Voluntary/third sector",
}

ELIGIBILITY_TEXT = {
    "relevant": "a) Relevant child", "former_relevant": "b) Former relevant child",
    "qualifying": "c) Qualifying care leaver", "eligible": "d) Eligible child",
}

IN_TOUCH_TEXT = {"YES": "a) Yes", "NO": "b) No", "DIED": "c) Died", "REFU": "d) Refu",
                 "NREQ": "e) NREQ", "RHOM": "f) Rhom"}

ACCOMMODATION_TEXT = {
    "B": "B: Parents/relatives", "C": "C: Community home/residential care",
    "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "E: Supported lodgings", "G": "G: Abroad", "H": "H: Deported",
    "K": "K: Ordinary lodgings, without formal support", "R": "R: Residence not known",
    "S": "S: No fixed abode/homeless", "T": "T: Foyers and similar supported accommodation",
    "U": "U: Independent living", "V": "V: Emergency accommodation", "W": "W: Bed and breakfast",
    "X": "X: In custody", "Y": "Y: Other accommodation", "Z": "Z: With former foster carers",
}

SUITABILITY_TEXT = {"1": "a) Suitable", "2": "b) Unsuitable"}

ACTIVITY_TEXT = {code: f"{code}: {label}" for code, label in {**codes.ACTIVITY, **codes.ACTIVITY_LEGACY}.items()}

ADOPTION_STOPPED_TEXT = {
    "RD1": "RD1 - The child's needs changed subsequent to the decision",
    "RD2": "RD2 - The Court did not make a placement order",
    "RD3": "RD3 - Prospective adopters could not be found",
    "RD4": "RD4 - Any other reason",
}


@dataclass(frozen=True)
class CodeSet:
    name: str
    text: dict  # canonical code -> Ofsted's text
    labels: dict = field(default_factory=dict)  # canonical code -> label (codes.py)
    aliases: dict = field(default_factory=dict)  # extra accepted text -> canonical code


CODESETS: dict[str, CodeSet] = {c.name: c for c in (
    CodeSet("sex", SEX_TEXT, codes.SEX_LABELS, {
        "d) Neither": "U", "Neither": "U", "Unknown": "U", "Not stated": "U", "Not recorded": "U",
        "Not known": "U", "Indeterminate": "U", "1": "M", "2": "F", "0": "U", "9": "U",
        "Boy": "M", "Girl": "F"}),
    CodeSet("ethnicity", ETHNICITY_TEXT, codes.ETHNICITY, {"Information not obtained": "NOBT",
                                                          "Not obtained": "NOBT", "Declined": "REFU"}),
    CodeSet("source", SOURCE_TEXT, codes.REFERRAL_SOURCES, {
        "Police": "6", "Schools": "2A", "School": "2A", "Housing": "4", "Anonymous": "9", "Unknown": "10",
        "Other": "8", "Other legal agency": "7", "Education services": "2B", "GP": "3A",
        "Health visitor": "3B", "School nurse": "3C", "A&E": "3E", "Self": "1C"}),
    CodeSet("yes_no", YES_NO_TEXT, {"Y": "Yes", "N": "No", "U": "Unknown"}, {
        "Y": "Y", "N": "N", "True": "Y", "False": "N", "1": "Y", "0": "N", "Not known": "U",
        "Not recorded": "U", "Don't know": "U"}),
    CodeSet("need", NEED_TEXT, codes.PRIMARY_NEED, {"Abuse or Neglect": "N1"}),
    CodeSet("closure", CLOSURE_TEXT, codes.CLOSURE_REASONS),
    CodeSet("case_status", CASE_STATUS_TEXT, {
        "cla": "Looked after child", "cp": "Child protection plan", "cin": "Child in need plan",
        "assessment": "Open assessment", "closed": "Closed episode"},
        {"Looked after": "cla", "CLA": "cla", "LAC": "cla", "CP": "cp", "CPP": "cp", "CIN": "cin",
         "Child in need": "cin", "Assessment": "assessment", "Closed": "closed"}),
    CodeSet("cp_category", CP_CATEGORY_TEXT, codes.CP_CATEGORIES, {
        "Multiple/not recommended": "MUL", "Multiple": "MUL", "Physical": "PHY", "Sexual": "SAB",
        "Emotional": "EMO"}),
    CodeSet("legal_status", LEGAL_STATUS_TEXT, codes.LEGAL_STATUS),
    CodeSet("rec", REC_TEXT, codes.REASON_EPISODE_CEASED),
    CodeSet("place", PLACE_TEXT, codes.PLACEMENT_TYPES),
    CodeSet("provider", PROVIDER_TEXT, codes.PLACEMENT_PROVIDERS),
    CodeSet("eligibility", ELIGIBILITY_TEXT, {
        "relevant": "Relevant child", "former_relevant": "Former relevant child",
        "qualifying": "Qualifying care leaver", "eligible": "Eligible child"},
        {"Relevant": "relevant", "Former relevant": "former_relevant", "Qualifying": "qualifying",
         "Eligible": "eligible"}),
    CodeSet("in_touch", IN_TOUCH_TEXT, codes.IN_TOUCH, {"Y": "YES", "N": "NO", "Refused": "REFU",
                                                      "Died": "DIED"}),
    CodeSet("accommodation", ACCOMMODATION_TEXT, codes.ACCOMMODATION),
    CodeSet("suitability", SUITABILITY_TEXT, {"1": "Suitable", "2": "Unsuitable"},
            {"Not suitable": "2", "Y": "1", "N": "2", "Yes": "1", "No": "2"}),
    CodeSet("activity", ACTIVITY_TEXT, {**codes.ACTIVITY, **codes.ACTIVITY_LEGACY}),
    CodeSet("adoption_stopped", ADOPTION_STOPPED_TEXT, {
        "RD1": "The child's needs changed subsequent to the decision",
        "RD2": "The Court did not make a placement order",
        "RD3": "Prospective adopters could not be found", "RD4": "Any other reason"}),
)}
