"""Run one parameterised notebook and render it to a self-contained offline HTML page.

``execute_notebook`` runs papermill *in this process* (no CLI subprocess per notebook);
only the kernel is another process, forked from a server that has the heavy imports done
and reached over IPC sockets (see ``kernels``).

``export_html`` renders with the ``csc_offline`` nbconvert template (package data): code
hidden, no require.js / MathJax / mermaid, no link or script to any CDN, the Vega
libraries inlined once, a Content-Security-Policy that forbids any network request, the
title and the security marking for the audience. Files are written atomically: a reader
finds either the previous file or the complete new one, never half a pack.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..errors import WorkbenchError
from .kernels import IPCKernelManager

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "csc_offline"
TEMPLATE_FILE = "csc_offline.html.j2"

AUDIENCES = ("shared", "internal")
MARKINGS = {"shared": "OFFICIAL", "internal": "OFFICIAL-SENSITIVE (internal)"}
# A pack is something people email: 2.5 MB is the agreed ceiling. Anything bigger almost
# always means a chart embedded row-level data, which a shared pack must never hold.
MAX_PACK_BYTES = 2_500_000
# Cell tags notebooks use (see notebooks' README): removed from the page / internal only.
TAG_REMOVE = ("remove-cell", "remove_cell")
TAG_REMOVE_OUTPUT = ("remove-output", "remove_output")
TAG_INTERNAL = "internal-only"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CDN = re.compile(r'"https://cdn\.jsdelivr\.net/npm/[^"\s]*"')


class NotebookFailed(WorkbenchError):
    """A notebook raised (or its kernel died). ``error`` is the plain-text traceback;
    ``notebook`` the executed notebook with outputs up to the failing cell (if written)."""

    def __init__(self, template: Path, error: str, notebook: Path | None = None):
        self.template = Path(template)
        self.error = error
        self.notebook = notebook
        first = error.strip().splitlines()[-1] if error.strip() else "failed"
        super().__init__(f"{self.template.name}: {first}")


class PackRejected(WorkbenchError):
    """A notebook ran but its page must not be published (audience rule or size)."""


# --------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------
def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path`` then rename it into place.

    ``os.replace`` within one folder is atomic on POSIX and Windows: a reader (or a crash)
    sees the old file or the new one, never a partial file at ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


# --------------------------------------------------------------------------------------
# Execute
# --------------------------------------------------------------------------------------
def execute_notebook(template: Path, output_ipynb: Path, parameters: dict, kernel_name: str = "python3",
                     cwd: Path | None = None, *, execution_timeout: int | None = 900) -> nbformat.NotebookNode:
    """Run ``template`` with ``parameters`` injected (papermill, in-process) and write the
    executed notebook to ``output_ipynb`` atomically.

    A failing notebook is still written (with outputs up to the error) and then
    ``NotebookFailed`` is raised carrying the plain-text error. ``execution_timeout`` is
    per cell, in seconds: a stuck cell fails the notebook instead of hanging a batch.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    template = Path(template)
    output_ipynb = Path(output_ipynb)
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    # papermill wants an .ipynb name; the leading dot keeps it out of readers' listings.
    fd, tmp = tempfile.mkstemp(prefix=f".{output_ipynb.stem}.", suffix=".tmp.ipynb", dir=output_ipynb.parent)
    os.close(fd)
    try:
        try:
            nb = papermill.execute_notebook(
                str(template), tmp, parameters=dict(parameters), kernel_name=kernel_name,
                cwd=str(cwd) if cwd is not None else str(template.parent),
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                execution_timeout=execution_timeout, kernel_manager_class=IPCKernelManager,
            )
        except PapermillExecutionError as exc:
            error = _ANSI.sub("", f"{exc.ename}: {exc.evalue}\n\n" + "\n".join(exc.traceback))
            error = f"cell {exc.cell_index} (In [{exc.exec_count}]):\n{error}"
            os.replace(tmp, output_ipynb)  # papermill wrote the notebook up to the error
            raise NotebookFailed(template, error, output_ipynb) from None
        except NotebookFailed:
            raise
        except Exception as exc:  # kernel died, timeout, bad template: no notebook to keep
            raise NotebookFailed(template, f"{type(exc).__name__}: {_ANSI.sub('', str(exc))}") from exc
        os.replace(tmp, output_ipynb)
        return nb
    finally:
        with _suppress():
            os.unlink(tmp)


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------
def _cache_dir() -> Path:
    base = os.environ.get("CSCW_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "csc_workbench"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one classic script (~0.9 MB), for the Vega-Lite
    version altair writes. Building it takes about 1.5 s, so it is cached on disk per
    version and in memory per process."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    path = _cache_dir() / f"vega-bundle-{vl_convert.__version__}-{version}.js"
    try:
        text = path.read_text(encoding="utf-8")
        if text.endswith("window.vegaLite=__default1;") or "window.vegaEmbed" in text[-2000:]:
            return text
    except OSError:
        pass
    text = vl_convert.javascript_bundle(vl_version=version)
    # The bundle goes inside <script>: a literal "</script" would end it early.
    text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    with _suppress():
        atomic_write_text(path, text)
    return text


def _vega_debug() -> str:
    """Tell altair's chart loader the libraries are already present (so it never tries to
    fetch them): it compares ``VEGA_DEBUG["<lib>_version"]`` with the version it wants."""
    import altair as alt

    return json.dumps({"vega_version": alt.VEGA_VERSION.split(".")[0],
                       "vegalite_version": alt.VEGALITE_VERSION,
                       "vegaembed_version": alt.VEGAEMBED_VERSION.split(".")[0]})


@functools.lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_file=TEMPLATE_FILE,
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(
        remove_cell_tags=set(TAG_REMOVE), remove_all_outputs_tags=set(TAG_REMOVE_OUTPUT),
        remove_input_tags=set(), enabled=True), enabled=True)
    return exporter


@functools.lru_cache(maxsize=1)
def pack_css() -> str:
    return (TEMPLATES_DIR / TEMPLATE_NAME / "csc_offline.css").read_text(encoding="utf-8")


def month_label(month: str) -> str:
    """'2025-06' -> 'June 2025' (left as given if it is not a YYYY-MM month)."""
    try:
        return dt.datetime.strptime(str(month), "%Y-%m").strftime("%B %Y")
    except ValueError:
        return str(month)


def _humanise(stem: str) -> str:
    return stem.replace("_", " ").replace("-", " ").strip().capitalize()


@dataclass(frozen=True)
class RenderedPack:
    path: Path
    bytes: int
    charts: int
    warnings: int  # stderr outputs left out of the page (kept in the executed notebook)
    sha256: str


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _is_chart(output) -> bool:
    html = output.get("data", {}).get("text/html", "")
    if isinstance(html, list):
        html = "".join(html)
    return "vegaEmbed" in html


def export_html(executed_ipynb: Path, html_path: Path, audience: str, *, title: str | None = None) -> RenderedPack:
    """Render an executed notebook to one offline HTML page, atomically.

    The page title is ``title``, else the notebook's ``metadata.csc.title`` (a format string
    that may use the parameters, e.g. ``"Monthly performance pack: {authority}"``), else
    the notebook name. For the ``shared`` audience a code cell tagged ``internal-only`` must
    have produced no output (the notebook is expected to skip it); otherwise the pack is
    rejected, because its data would already be in the executed notebook. Cells tagged
    ``internal-only`` (headings too) are left out of shared pages.
    """
    from .manifest import workbench_version

    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    executed_ipynb, html_path = Path(executed_ipynb), Path(html_path)
    nb = nbformat.read(executed_ipynb, as_version=4)
    params = dict(nb.metadata.get("papermill", {}).get("parameters", {}))

    if audience == "shared":
        leaking = [i for i, c in enumerate(nb.cells)
                   if TAG_INTERNAL in _tags(c) and c.get("outputs")]
        if leaking:
            raise PackRejected(f"{executed_ipynb.name}: cells {leaking} are tagged {TAG_INTERNAL!r} but "
                               f"produced output in a shared pack: the notebook must skip them when "
                               f"audience == 'shared'")
        # Their headings and text go too: a shared reader sees no trace of internal sections.
        nb.cells = [c for c in nb.cells if TAG_INTERNAL not in _tags(c)]
    warnings = 0
    charts = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                warnings += 1
                continue
            charts += _is_chart(out)
            kept.append(out)
        cell.outputs = kept

    meta = nb.metadata.get("csc", {})
    if title is None:
        fmt = meta.get("title") or f"{_humanise(executed_ipynb.stem)}: {{authority}}"
        fields = {k: v for k, v in params.items() if isinstance(v, str | int | float)}
        fields.setdefault("authority", "")
        fields.setdefault("authority_name", fields["authority"])
        # A notebook may add title fields it learnt while running (the authority's name):
        # an output's metadata {"csc": {"fields": {...}}} (IPython files a repr's metadata
        # under its MIME type: {"text/html": {"csc": ...}}).
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                meta_out = out.get("metadata", {})
                for m in [meta_out, *(v for v in meta_out.values() if isinstance(v, dict))]:
                    extra = m.get("csc", {}).get("fields", {}) if isinstance(m.get("csc"), dict) else {}
                    fields.update({k: v for k, v in extra.items() if isinstance(v, str | int | float)})
        fields["month_label"] = month_label(params.get("month", ""))
        try:
            title = fmt.format(**fields)
        except (KeyError, IndexError, ValueError):
            title = fmt
    marking = MARKINGS[audience]
    bits = [f"Authority {params['authority']}" if params.get("authority") else None,
            month_label(params["month"]) if params.get("month") else None,
            "Shared: aggregate figures only, small numbers suppressed" if audience == "shared"
            else "Internal: not for sharing"]
    generated = dt.datetime.now().strftime("%d %B %Y %H:%M")
    resources = {
        "metadata": {"name": executed_ipynb.stem},
        "csc": {
            "title": title, "audience": audience, "marking": marking,
            "caption": meta.get("caption", "Children's social care performance"),
            "meta": " · ".join(b for b in bits if b),
            "footer": f"Produced {generated} by csc_workbench {workbench_version()} "
                      f"from {executed_ipynb.stem}. {marking}.",
            "version": workbench_version(), "css": pack_css(),
            "vega_bundle": vega_bundle() if charts else "", "vega_debug": _vega_debug(),
        },
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    # Each altair chart carries the CDN addresses it would load Vega from if the inlined
    # copy were missing. It never needs them here; blank them so the page holds no address
    # that could reach a network, even if its script misbehaved.
    body = _CDN.sub('"data:,"', body)
    data = body.encode("utf-8")
    if len(data) > MAX_PACK_BYTES:
        raise PackRejected(f"{html_path.name}: {len(data) / 1e6:.2f} MB is over the "
                           f"{MAX_PACK_BYTES / 1e6:.1f} MB limit for a pack (a chart holding "
                           f"row-level data?)")
    atomic_write_bytes(html_path, data)
    return RenderedPack(path=html_path, bytes=len(data), charts=charts, warnings=warnings,
                        sha256=hashlib.sha256(data).hexdigest())

