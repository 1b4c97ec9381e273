"""Reference data: DfE's published statistics, ONS populations and statistical neighbours,
loaded from the files as DfE publishes them, and the comparisons a performance team makes
with them (statistical-neighbour average and best, region, England, rank, quartile,
position against the middle 50% of authorities).

Layer "reference" (same rank as ``io``): imports only core modules and ``model``.
"""

from .build import COLUMNS, ReferenceAccount, build_reference, load_reference, read_reference
from .catalogue import MEASURES, MeasureInfo

__all__ = ["COLUMNS", "MEASURES", "MeasureInfo", "ReferenceAccount", "build_reference",
           "load_reference", "read_reference"]

from .compare import (  # noqa: E402
    NEIGHBOUR_COLUMNS, SUMMARY_COLUMNS, UnknownAuthority, benchmark_summary, default_authorities,
    la_series, neighbour_values, pick_release, resolve_authority, series_table,
)

__all__ += ["NEIGHBOUR_COLUMNS", "SUMMARY_COLUMNS", "UnknownAuthority", "benchmark_summary",
            "default_authorities", "la_series", "neighbour_values", "pick_release", "resolve_authority",
            "series_table"]

from .synthetic import (  # noqa: E402
    synthetic_benchmarks, synthetic_reference, synthetic_stat_neighbours,
)

__all__ += ["synthetic_benchmarks", "synthetic_reference", "synthetic_stat_neighbours"]
