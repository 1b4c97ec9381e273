"""tools/validate_cin.py converts the XML with Data to Insight's own ingress code, made
linear (the validator's per-child pd.concat takes hours on a large authority's census): the
tables must be exactly those the validator builds itself.

Runs inside .venv-validators (pandas 1.x), which ``make test`` creates before the tests;
skipped only when a bare ``pytest`` runs without it, as the SSDA903 validator tests are."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

from cin_census_cases import realistic_dataset
from csc_workbench.io.cin_census import write_cin_census

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("validate_cin", REPO / "tools" / "validate_cin.py")
validate_cin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate_cin)
PYTHON = validate_cin.DEFAULT_VENV / "bin" / "python"

pytestmark = pytest.mark.skipif(not PYTHON.exists(),
                                reason="run `make test` or `python tools/validators_venv.py` once to create .venv-validators")

COMPARE = r'''
import json, sys, xml.etree.ElementTree as ET
import pandas as pd
ns = {"__name__": "cin_driver"}
exec(sys.argv[1], ns)  # the driver's definitions; its main part does not run
out = {}
for path in sys.argv[2:]:
    root = ET.parse(path).getroot()
    fast, exact = ns["fast_convert"](root), ns["cv"].convert_data(root)
    assert list(fast) == list(exact), (list(fast), list(exact))
    for name in exact:
        pd.testing.assert_frame_equal(fast[name], exact[name], obj=f"{path}: {name}")
    out[path] = {name: len(t) for name, t in exact.items()}
print(json.dumps(out))
'''


def test_fast_conversion_builds_exactly_the_validators_tables(tmp_path, samples_dir):
    written = write_cin_census(realistic_dataset(), tmp_path, lea={"901": "901"})
    samples = sorted((samples_dir / "cin_census").rglob("*.xml"))
    files = [str(p) for p in written + samples]
    done = subprocess.run([str(PYTHON), "-c", COMPARE, validate_cin.DRIVER, *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(sizes) == len(files) >= 4
    # the written files hold children, episodes, assessments and plans: a real comparison
    ours = [sizes[str(p)] for p in written]
    assert all(s["ChildIdentifiers"] > 0 and s["CINdetails"] > 0 for s in ours)
    assert sum(s["Assessments"] for s in ours) > 0 and sum(s["ChildProtectionPlans"] for s in ours) > 0
