"""Assessment layer: targets and RAG, direction of travel, SPC anomaly flags, benchmarks,
measures entered by hand, and the scorecard frame the packs render.

It reads only the measure catalogue and the tidy table (``measures.catalogue``); benchmarks
arrive as a DataFrame from the reference layer.
"""

from csc_workbench.assessment.benchmarks import BENCHMARK_COLUMNS, attach_benchmarks
from csc_workbench.assessment.direction import direction_of_travel
from csc_workbench.assessment.manual import (ManualData, catalogue_with_manual, load_manual,
                                             register_manual_measures)
from csc_workbench.assessment.scorecard import (SCORECARD_COLUMNS, TABLE_COLUMNS,
                                                build_assessment_table, build_scorecard,
                                                build_scorecard_and_table)
from csc_workbench.assessment.spc import false_alarm_rate, find_planted, flag_rates, spc_flags
from csc_workbench.assessment.targets import Targets, evaluate_rag, load_targets

__all__ = [
    "BENCHMARK_COLUMNS", "SCORECARD_COLUMNS", "TABLE_COLUMNS", "ManualData", "Targets",
    "attach_benchmarks", "build_assessment_table", "build_scorecard", "build_scorecard_and_table",
    "catalogue_with_manual",
    "direction_of_travel", "evaluate_rag", "false_alarm_rate", "find_planted", "flag_rates",
    "load_manual",
    "load_targets", "register_manual_measures", "spc_flags",
]
