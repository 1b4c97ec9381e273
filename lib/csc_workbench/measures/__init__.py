"""The measures engine: every measure in INDICATORS.md computed from the canonical model.

Public API::

    from csc_workbench.measures import compute_measures, catalogue, store_measures, read_measures, ensure_measures

``compute_measures(dataset, measures=None, periods=None, first_month=None, last_month=None, options=None)``
returns the tidy table (``catalogue.TIDY_COLUMNS`` plus ``note``); ``catalogue()`` the registered
``MeasureDef`` objects by id.
"""

from .catalogue import CATALOGUE, NOTE_COLUMN, TIDY_COLUMNS, WAREHOUSE_COLUMNS, MeasureDef  # noqa: F401
from .engine import DEFAULT_OPTIONS, catalogue, compute_measures, tidy  # noqa: F401
