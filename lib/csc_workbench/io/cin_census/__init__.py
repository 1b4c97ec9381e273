"""The CIN census XML: streaming loader (``read``), sniffer and writer.

``KIND``, ``sniff(path)`` and ``read(paths, authority, account)`` follow the loader
contract ``cscw load`` uses; ``write_cin_census`` writes one file per authority per
collection year in that year's layout. ``CARRIED`` lists, per canonical table, the columns
the census carries: what survives canonical -> write -> read (ids are rebuilt by the
loader as ``{child}/{yyyymmdd}``, so compare links through the records' dates).
"""

from .reader import KIND, read, sniff
from .writer import default_years, write_cin_census

CARRIED: dict[str, list[str]] = {
    "persons": ["child_id", "sex", "ethnicity", "dob", "expected_dob", "death_date", "disabled"],
    "referrals": ["child_id", "referral_date", "referral_source", "nfa", "primary_need", "closure_date",
                  "closure_reason"],
    "assessments": ["child_id", "referral_id", "start_date", "authorised_date", "factors"],
    "s47": ["child_id", "referral_id", "start_date", "icpc_target_date", "icpc_not_required"],
    "icpcs": ["child_id", "referral_id", "s47_id", "icpc_date", "cp_plan"],
    "cp_plans": ["child_id", "referral_id", "start_date", "end_date", "initial_category", "latest_category",
                 "previous_plans"],
    "cp_reviews": ["child_id", "cpp_id", "review_date"],
    "cin_plans": ["child_id", "referral_id", "start_date", "end_date"],
}

__all__ = ["KIND", "CARRIED", "read", "sniff", "write_cin_census", "default_years"]
