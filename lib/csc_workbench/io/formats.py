"""Which loader reads a file: a registry of input-format modules.

A format module (``csc_workbench.io.annex_a``, ``.cin_census``, ``.ssda903``) exposes:

- ``KIND: str`` ("annex_a", "cin_census", "ssda903");
- ``sniff(path: Path) -> bool``: cheap, never raises for a file of another kind;
- ``read(paths: list[Path], authority: str, account: LoadAccount) -> Dataset``: all the files
  of that kind in one load (e.g. several years, or a return's CSV tables), accounting for
  every row; raises ``InputError`` for input it cannot load;
- optionally ``extract_date(paths) -> pd.Timestamp | None``: the date the files describe,
  used to order versions of a record in history; a loader may instead (or also) set
  ``extract_date`` on the Dataset it returns, which wins. Neither: load order decides.

Modules are imported lazily, so a missing one (not yet written, or not installed) makes its
kind unavailable with a clear message instead of breaking the others.
"""

from __future__ import annotations

import importlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..errors import InputError

# kind -> (module, what users call the file)
FORMAT_MODULES: dict[str, tuple[str, str]] = {
    "annex_a": ("csc_workbench.io.annex_a", "Annex A workbook"),
    "cin_census": ("csc_workbench.io.cin_census", "CIN census XML"),
    "ssda903": ("csc_workbench.io.ssda903", "SSDA903 file"),
}
LOADER_NAMES = {"annex_a": "Annex A", "cin_census": "CIN census", "ssda903": "SSDA903"}


@dataclass
class Format:
    kind: str
    module_name: str
    label: str
    module: ModuleType | None  # None: no loader for this kind yet

    @property
    def available(self) -> bool:
        return self.module is not None


def _import(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # Only the module itself being absent means "no loader yet"; a missing dependency
        # inside an existing loader is a real error and must surface.
        if exc.name is not None and (exc.name == name or name.startswith(exc.name + ".")):
            return None
        raise


def formats() -> list[Format]:
    return [Format(kind, module, label, _import(module)) for kind, (module, label) in FORMAT_MODULES.items()]


def known_kinds_text() -> str:
    labels = [label for _, label in FORMAT_MODULES.values()]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def _head(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _text_head(head: bytes) -> str | None:
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, errors="replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return None


def looks_like(path: Path) -> str | None:
    """A cheap guess at the kind of a file no available loader claimed (for the message)."""
    text = _text_head(_head(path))
    if text is None:
        return None
    stripped = text.lstrip()
    if stripped.startswith("<"):
        upper = stripped[:4096].upper()
        if "CIN" in upper or "<MESSAGE" in upper:
            return "cin_census"
        if "DECOM" in upper or "<EPISODE" in upper:
            return "ssda903"
        return None
    first = stripped.splitlines()[0] if stripped else ""
    cols = {c.strip().strip('"').upper() for c in first.split(",")}
    if "CHILD" in cols and cols & {"DECOM", "DOB", "SEX", "DUC", "IN_TOUCH", "DATE_INT", "MIS_START", "REVIEW"}:
        return "ssda903"
    return None


def describe(path: Path) -> str:
    """What a file seems to be, for an error message about an unrecognised file."""
    head = _head(path, 8192)
    if not head:
        return "the file is empty (0 bytes)"
    if head.startswith(b"\x89PNG"):
        return "it is a PNG image"
    if head[:3] == b"\xff\xd8\xff":
        return "it is a JPEG image"
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an old-style Office file (.xls/.doc): save it as .xlsx"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            return "it is a damaged or truncated zip/Office file"
        if "word/document.xml" in names:
            return "it is a Word document"
        if "xl/workbook.xml" in names:
            return "it is an Excel workbook without sheets named 'List 1' to 'List 11'"
        return "it is a zip archive"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 text (save it as an .xlsx workbook, or as UTF-8 CSV / XML)"
    text = _text_head(head)
    if text is None:
        return "it is not a file type the workbench reads"
    if text.lstrip().startswith("<"):
        return "it is XML of another kind"
    first = text.splitlines()[0] if text.strip() else ""
    if "," in first or "\t" in first:
        return f"it is delimited text whose columns ({first[:80]!r}...) are not an SSDA903 table's"
    return "it is text of another kind"


def detect(path: Path, available: list[Format] | None = None) -> Format:
    """The format that reads ``path``; ``InputError`` naming the file otherwise."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path)
    if path.is_dir():
        raise InputError("is a folder, not a file", file=path)
    fmts = formats() if available is None else available
    if path.stat().st_size == 0:
        raise InputError(f"the file is empty (0 bytes): not an {known_kinds_text()}", file=path)
    for fmt in fmts:  # loop over formats
        if fmt.module is None:
            continue
        try:
            if fmt.module.sniff(path):
                return fmt
        except Exception:  # a sniffer that chokes on a foreign file has simply not recognised it
            continue
    guess = looks_like(path)
    missing = {f.kind: f for f in fmts if f.module is None}
    if guess in missing:
        fmt = missing[guess]
        raise InputError(f"looks like a {fmt.label}, but there is no loader for {LOADER_NAMES[guess]} yet "
                         f"(module {fmt.module_name} is not installed)", file=path)
    raise InputError(f"not an {known_kinds_text()}: {describe(path)}", file=path)
