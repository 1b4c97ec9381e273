"""The format registry: loaders found lazily, a missing loader reported clearly, and files no
loader recognises described."""

import types
from pathlib import Path

import pytest

from annex_a_helpers import annex_a, workbook
from csc_workbench.errors import InputError
from csc_workbench.io import formats


def test_annex_a_is_always_available_and_detected(tmp_path):
    kinds = {f.kind: f for f in formats.formats()}
    assert set(kinds) == {"annex_a", "cin_census", "ssda903"}
    assert kinds["annex_a"].available
    fmt = formats.detect(annex_a(tmp_path / "a.xlsx"))
    assert fmt.kind == "annex_a" and fmt.module.KIND == "annex_a"


def test_every_available_module_keeps_the_contract():
    for fmt in formats.formats():
        if fmt.available:
            assert fmt.module.KIND == fmt.kind
            assert callable(fmt.module.sniff) and callable(fmt.module.read)


def test_a_missing_loader_is_reported_not_a_crash(tmp_path, monkeypatch):
    # Point the CIN census kind at a module that does not exist (as before that loader arrives).
    monkeypatch.setitem(formats.FORMAT_MODULES, "cin_census",
                        ("csc_workbench.io.not_written_yet", "CIN census XML"))
    xml = tmp_path / "cin_2024.xml"
    xml.write_text('<?xml version="1.0"?><Message><CINdetails/></Message>')
    kinds = {f.kind: f for f in formats.formats()}
    assert not kinds["cin_census"].available and kinds["annex_a"].available
    with pytest.raises(InputError, match="no loader for CIN census yet") as err:
        formats.detect(xml)
    assert err.value.file == xml


def test_a_broken_loader_is_not_mistaken_for_a_missing_one(tmp_path, monkeypatch):
    # A loader that exists but cannot import a dependency must fail loudly, not vanish.
    (tmp_path / "loader_with_missing_dep.py").write_text("import a_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert formats._import("csc_workbench.io.no_such_loader_module") is None
    with pytest.raises(ModuleNotFoundError, match="a_dependency_that_is_not_installed"):
        formats._import("loader_with_missing_dep")


def test_a_sniffer_that_fails_on_a_foreign_file_does_not_stop_detection(tmp_path, monkeypatch):
    def exploding(path):
        raise ValueError("cannot parse")

    fake = types.SimpleNamespace(KIND="ssda903", sniff=exploding, read=None)
    real = formats.formats()
    monkeypatch.setattr(formats, "formats", lambda: [f if f.kind != "ssda903" else
                                                     formats.Format("ssda903", "x", "SSDA903 file", fake) for f in real])
    assert formats.detect(annex_a(tmp_path / "a.xlsx")).kind == "annex_a"


@pytest.mark.parametrize("content,expected", [
    (b"", "empty (0 bytes)"),
    (b"%PDF-1.4 ...", "PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "old-style Office file"),
    (b"\xff\xfeC\x00h\x00", "UTF-16"),
    (b"<?xml version='1.0'?><Report/>", "XML of another kind"),
    (b"just some words", "text of another kind"),
])
def test_unknown_files_are_described(tmp_path, content, expected):
    path = tmp_path / "mystery.dat"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        formats.detect(path)
    assert expected in str(err.value) and "mystery.dat" in str(err.value)


def test_workbook_without_list_sheets_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="without sheets named 'List 1'"):
        formats.detect(workbook(tmp_path / "budget.xlsx", {"Budget": [["x"]]}))
    with pytest.raises(InputError, match="no such file"):
        formats.detect(tmp_path / "nope.xlsx")
    with pytest.raises(InputError, match="folder"):
        formats.detect(tmp_path)


def test_looks_like_guesses_for_absent_loaders(tmp_path):
    csv = tmp_path / "episodes.csv"
    csv.write_text("CHILD,DECOM,RNE,LS\n1,01/04/2023,S,C2\n")
    assert formats.looks_like(csv) == "ssda903"
    xml = tmp_path / "cin.xml"
    xml.write_text("<Message><Children><Child><ChildIdentifiers/></Child></Children></Message>")
    assert formats.looks_like(xml) == "cin_census"
    other = tmp_path / "a.csv"
    other.write_text("Child Unique ID,Date of Contact\n1,01/01/2024\n")
    assert formats.looks_like(other) is None
    assert Path(csv).exists()
