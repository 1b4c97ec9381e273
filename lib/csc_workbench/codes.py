"""DfE code lists used across the statutory returns (CIN census, SSDA903, Annex A).

Codes are what the canonical model stores; labels are what people read and what Annex A
exports often carry ("q) 6: Police", "Physical abuse"). Loaders map labels back to codes;
writers and packs map codes to labels.
"""

from __future__ import annotations

# CIN census ReferralSource
REFERRAL_SOURCES = {
    "1A": "Individual: family member/relative/carer", "1B": "Individual: acquaintance",
    "1C": "Individual: self", "1D": "Individual: other",
    "2A": "Schools", "2B": "Education services",
    "3A": "Health services: GP", "3B": "Health services: health visitor",
    "3C": "Health services: school nurse", "3D": "Health services: other primary health services",
    "3E": "Health services: A&E", "3F": "Health services: other",
    "4": "Housing", "5A": "LA services: social care", "5B": "LA services: other internal",
    "5C": "LA services: external", "5D": "LA services: early help", "6": "Police",
    "7": "Other legal agency", "8": "Other", "9": "Anonymous", "10": "Unknown",
}

# CIN census PrimaryNeedCode / SSDA903 CIN
PRIMARY_NEED = {
    "N0": "Not stated", "N1": "Abuse or neglect", "N2": "Child's disability",
    "N3": "Parental illness/disability", "N4": "Family in acute stress",
    "N5": "Family dysfunction", "N6": "Socially unacceptable behaviour",
    "N7": "Low income", "N8": "Absent parenting", "N9": "Cases other than children in need",
}

# CIN census ReasonForClosure
CLOSURE_REASONS = {
    "RC1": "Adopted", "RC2": "Died", "RC3": "Child arrangements order",
    "RC4": "Special guardianship order", "RC5": "Transferred to services of another LA",
    "RC6": "Transferred to adult social care", "RC7": "Services ceased for any other reason",
    "RC8": "Case closed after assessment, no further action",
    "RC9": "Case closed after assessment, referred to early help",
}

# Child protection categories of abuse (CIN census CPP category)
CP_CATEGORIES = {
    "NEG": "Neglect", "PHY": "Physical abuse", "SAB": "Sexual abuse",
    "EMO": "Emotional abuse", "MUL": "Multiple",
}

# SSDA903 reason for new episode. S, P and B start a new placement; T and U are a change
# of status with the same carer; L a change of legal status only (INDICATORS.md).
RNE = {
    "S": "Started to be looked after", "L": "Change of legal status only",
    "P": "Change of placement only", "T": "Change of placement and legal status",
    "U": "Change of legal status and placement, same carer", "B": "Change of legal status and placement",
}
RNE_NEW_PLACEMENT = ("S", "P", "B")

# SSDA903 legal status
LEGAL_STATUS = {
    "C1": "Interim care order", "C2": "Full care order", "D1": "Freeing order granted",
    "E1": "Placement order granted", "J1": "Remanded to LA accommodation",
    "J2": "Placed in LA accommodation under PACE", "J3": "Sentenced to CRO with residence requirement",
    "L1": "Under police protection", "L2": "Emergency protection order",
    "L3": "Under child assessment order and in LA accommodation",
    "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks (individual episodes)",
    "V4": "Accommodated under an agreed series of short-term breaks (agreed series)",
}
SHORT_BREAK_LS = ("V3", "V4")

# SSDA903 placement types (2024 onwards; older codes kept for history)
PLACEMENT_TYPES = {
    "A3": "Placed for adoption with parental consent with current foster carer",
    "A4": "Placed for adoption with parental consent not with current foster carer",
    "A5": "Placed for adoption with placement order with current foster carer",
    "A6": "Placed for adoption with placement order not with current foster carer",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations",
    "K1": "Secure children's home", "K2": "Children's home subject to children's homes regulations",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living", "P3": "Residential employment",
    "R1": "Residential care home", "R2": "NHS/health trust or other medical establishment",
    "R3": "Family centre or mother and baby unit", "R5": "Young offender institution or prison",
    "S1": "All residential schools, except where dual-registered as a school and children's home",
    "T0": "Temporary placement (not otherwise listed)", "T1": "Temporary periods in hospital",
    "T2": "Temporary periods of absence", "T3": "Temporary periods in YOI/prison",
    "T4": "Temporary periods in other residential settings",
    "U1": "Foster placement with relative or friend - long term fostering",
    "U2": "Foster placement with relative or friend who is also an approved adopter - FFA",
    "U3": "Foster placement with relative or friend - not long term or FFA",
    "U4": "Foster placement with other foster carer - long term fostering",
    "U5": "Foster placement with other foster carer who is also an approved adopter - FFA",
    "U6": "Foster placement with other foster carer - not long term or FFA",
    "Z1": "Other placements",
    "H5": "Semi-independent living accommodation",
    "K3": "Supported accommodation (registered)", "K4": "Supported accommodation (unregistered)",
}

PLACEMENT_PROVIDERS = {
    "PR0": "Parents or other person with parental responsibility", "PR1": "Own provision (by the LA)",
    "PR2": "Other LA provision", "PR3": "Other public provision (e.g. by a PCT etc)",
    "PR4": "Private provision", "PR5": "Voluntary/third sector provision",
}

# SSDA903 reason episode ceased
REASON_EPISODE_CEASED = {
    "E11": "Adopted - application for an adoption order unopposed",
    "E12": "Adopted - consent dispensed with by the court",
    "E2": "Died", "E3": "Care taken over by another LA in the UK",
    "E4A": "Returned home to live with parents as part of the care planning process",
    "E4B": "Returned home to live with parents not as part of the care planning process",
    "E13": "Left care to live with parents, not as part of the care planning process",
    "E41": "Residence order (or, from 22 April 2014, a child arrangement order)",
    "E43": "Special guardianship order made to former foster carers (before 2014-15)",
    "E44": "Special guardianship order made to carers other than former foster carers (before 2014-15)",
    "E45": "Special guardianship order made to former foster carers who were/are a relative or friend",
    "E46": "Special guardianship order made to former foster carers, other than relative or friend",
    "E47": "Special guardianship order made to carers other than former foster carers, who were/are a "
           "relative or friend",
    "E48": "Special guardianship order made to carers other than former foster carers, other than relative "
           "or friend",
    "E5": "Moved into independent living arrangement with supportive accommodation",
    "E6": "Moved into independent living arrangement without formalised support",
    "E7": "Transferred to residential care funded by adult social care",
    "E8": "Period of being looked after ceased for any other reason",
    "E9": "Sentenced to custody", "E14": "Accommodation on remand ended", "E15": "Age assessment",
    "E16": "Child moved abroad", "E17": "Aged 18 (or over) and remained with current carers (staying put)",
    "X1": "Episode ceases, and new episode begins on same day",
}
REC_ADOPTION = ("E11", "E12")
REC_SGO = ("E43", "E44", "E45", "E46", "E47", "E48")  # E43/E44 only in returns before 2014-15
REC_CHILD_ARRANGEMENTS = ("E41",)

# SSDA903 OC3 care leavers
IN_TOUCH = {"YES": "In touch", "NO": "Not in touch", "DIED": "Died",
            "REFU": "Refused contact", "NREQ": "Contact not required (gone home 6 months+)",
            "RHOM": "Returned home to live with parents"}
ACTIVITY = {
    "F1": "Full time in higher education", "P1": "Part time in higher education",
    "F2": "Full time in education other than higher", "P2": "Part time in education other than higher",
    "F4": "Full time in an apprenticeship", "P4": "Part time in an apprenticeship",
    "F5": "Full time in training or employment (not apprenticeship)",
    "P5": "Part time in training or employment (not apprenticeship)",
    "G4": "Not in education, training or employment: illness or disability",
    "G5": "Not in education, training or employment: other", "G6": "Not in education, training or employment: pregnancy or parenting",
}
# Codes no longer in the SSDA903 return that older data and Annex A workbooks still carry
# (training or employment before apprenticeships were split out); never generate these.
ACTIVITY_LEGACY = {"F3": "Full time in training or employment", "P3": "Part time in training or employment"}
ACTIVITY_EET = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
ACCOMMODATION = {
    "B": "Parents/relatives", "C": "Community home or other form of residential care",
    "D": "Semi-independent, transitional accommodation", "E": "Supported lodgings",
    "G": "Gone abroad", "H": "Deported", "K": "Ordinary lodgings, without formal support",
    "R": "Residence not known", "S": "No fixed abode / homeless", "T": "Foyers",
    "U": "Independent living", "V": "Emergency accommodation", "W": "Bed and breakfast",
    "X": "In custody", "Y": "Other accommodation", "Z": "With former foster carers",
}

SEX_LABELS = {"M": "Male", "F": "Female", "U": "Not stated/recorded"}

ETHNICITY = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean", "MWBA": "White and Black African",
    "MWAS": "White and Asian", "MOTH": "Any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
    "BCRB": "Caribbean", "BAFR": "African", "BOTH": "Any other Black background",
    "CHNE": "Chinese", "OOTH": "Any other ethnic group", "REFU": "Refused", "NOBT": "Information not yet obtained",
}
