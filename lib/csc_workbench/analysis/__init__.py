"""Cohort analyses beside the measures: the deep dives a performance team runs when a
measure moves (who are the children behind the figure, which teams, since when).

Layer 4, with ``measures``: every analysis starts from the per-record frames the measures
engine builds (``measures.child_protection``, ``measures.assessment``), so a deep dive's
totals are the scorecard's figures by construction, never a second formula.

Modules:

* ``repeat_cp``: child protection plans for a second or subsequent time (ever, within
  2 years), time since the previous plan, category change, sibling groups, by team and
  worker, monthly trend, the cohort list.
* ``assessment_timeliness``: assessment duration in working days (distribution, the
  Southampton bands), by team and worker, seasonality, open assessments at risk of
  passing 45 working days, referral to assessment start.
* ``regional``: every authority of a run side by side per key measure, with the region
  and England values (pooled for fictional authorities, DfE's for real ones).
* ``explain``: the records behind any number and what moved it since the previous period
  (a shift-share decomposition by team, worker, age band or category).

Everything here returns plain DataFrames of counts (never display text): the
presentation layer applies the audience (suppression) and formats.
"""

from .base import Window, authority_context, load_authority, window  # noqa: F401
