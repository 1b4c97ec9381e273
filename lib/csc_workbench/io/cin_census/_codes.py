"""CIN census code lists and layout facts that only this format needs.

Taken from DfE's CIN census XSDs (2024, 2025, 2026): the codes a valid return may carry.
Shared code lists (referral sources, primary need, closure reasons, CP categories,
ethnicity) live in ``csc_workbench.codes``.
"""

from __future__ import annotations

# <Disability>: NONE means "no disability"; any other code means the child is disabled.
DISABILITIES = ("NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON",
                "AUT", "DDA")
# The writer only knows "disabled or not" (canonical persons.disabled), so a disabled child
# is written with DDA ("Other"), the census's code for a disability it does not list.
DISABILITY_UNSPECIFIED = "DDA"

# <AssessmentFactors> (FactorsIdentifiedAtAssessment)
ASSESSMENT_FACTORS = (
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C",
    "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A",
    "14A", "15A", "16A", "17A", "18A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A",
    "23A", "24A",
)

# <GenderCurrent> (returns up to 2023/24): 1 male, 2 female, 0 not recorded or unborn,
# 9 indeterminate. Canonical sex has no "indeterminate": it is U.
GENDER_CURRENT_TO_SEX = {"1": "M", "2": "F", "0": "U", "9": "U"}
SEX_TO_GENDER_CURRENT = {"M": "1", "F": "2", "U": "0"}
# Labels some exports write instead of codes.
SEX_LABELS = {"MALE": "M", "FEMALE": "F", "UNKNOWN": "U", "NOT KNOWN": "U", "NOT STATED": "U",
              "INDETERMINATE": "U", "UNBORN": "U"}

# <ReferralNFA>, <ICPCnotRequired>: the XSDs from 2024 say 0/1; older returns and several
# suppliers write true/false.
YES_NO = {"1": True, "0": False, "TRUE": True, "FALSE": False, "Y": True, "N": False,
          "YES": True, "NO": False}

# First collection year (year ending 31 March) that uses <Sex> M/F/U instead of
# <GenderCurrent> 1/2/0/9.
FIRST_SEX_YEAR = 2025

# Elements the census carries that the canonical model does not hold. They are read past
# without a warning (unknown elements get one warning per element name per file).
NOT_CARRIED = {
    "ChildIdentifiers": {"UPN", "FormerUPN", "UPNunknown"},
    "Assessments": {"AssessmentInternalReviewDate"},
    # 2026/27 pre-proceedings and family group decision-making block: not in the canonical model.
    "CINdetails": {"PreProceedingsandFGDM"},
}
