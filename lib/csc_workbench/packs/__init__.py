"""Monthly packs: run parameterised notebooks per authority, render offline HTML, publish.

Modules: ``render`` (one notebook -> executed notebook -> offline HTML page),
``kernels`` (IPC kernels forked from a pre-loaded server), ``params`` (the batch's params
file, checked against each notebook's parameters cell), ``batch`` (the run: process pool or
Dask, atomic publishing, failures kept apart), ``manifest`` and ``index`` (what ran, and a
page linking every pack), ``leakscan`` (personal identifiers in output files) and
``browser`` (open a page in headless Chromium with the network cut off).

What a pack notebook must do to fit (``notebooks/<name>.ipynb``):

* A code cell tagged ``parameters`` declaring ``authority``, ``month`` (``"YYYY-MM"``),
  ``audience`` (``"shared"`` or ``"internal"``) and ``warehouse`` (a path), plus any extra
  parameter the params file sets for it. A notebook run once per run (``scope: run`` in
  ``params/batch.yaml``, e.g. the regional comparison) also declares ``authorities`` (a
  list) and gets ``authority = ""``. Declaring ``output_dir`` gives the notebook a folder
  for extra files (the XLSX scorecard): they are published beside the page, only if the
  notebook succeeds.
* Thin: it calls the library. Charts: ``presentation.charts.setup_altair()`` once, then
  altair charts (``trend_chart`` for a measure's trend) left as a cell's result or
  ``display()``-ed; they stay interactive offline. Titles state the finding.
* Audience: anything child- or worker-level is computed only ``if audience ==
  "internal"``, in cells tagged ``internal-only`` (their headings too). For a shared pack
  such cells are dropped from the page, and if one produced output the pack is refused.
* Other tags: ``remove-cell`` (set-up cells, left out of the page), ``remove-output``.
  Code is never shown; stderr (warnings) is kept in the executed notebook, not the page.
* The page title comes from the notebook metadata ``csc.title``, a format string over the
  parameters plus ``month_label`` ("Monthly performance pack: {authority}, {month_label}");
  ``csc.caption`` sets the line above it. Start sections at ``##`` (the page has the ``#``).
* A notebook that raises fails only itself: it is kept under ``outputs/<month>/failed/``.
"""
