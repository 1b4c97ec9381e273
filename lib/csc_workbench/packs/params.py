"""The batch's params file (``params/batch.yaml``): which notebooks a monthly run makes and
with which extra parameters. Checked completely before any notebook runs.

Format::

    # Defaults for `cscw run`; command-line options override them.
    audience: shared            # shared | internal
    workers: 2                  # processes (default: the machine's cores)
    notebook_dir: notebooks     # relative to the repository root, or absolute
    timeout: 900                # seconds a single cell may run before the notebook fails
    notebooks:                  # the default list, in this order
      monthly_pack: {}
      deep_dive_repeat_cp:
        parameters:             # extra notebook parameters (must exist in its parameters cell)
          min_group_size: 2
      regional_comparison:
        scope: run              # once per run with `authorities` (a list), not per authority
        file: regional_comparison.ipynb   # optional: template file name if not <name>.ipynb

Every notebook receives ``authority``, ``month``, ``audience`` and ``warehouse`` (a run-scoped
one receives ``authorities`` too, with ``authority`` empty) and, if its parameters cell
declares it, ``output_dir``: a folder for extra files (e.g. the XLSX scorecard) that are
published beside the page only if the notebook succeeds.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import REPO_ROOT, params_dir
from ..errors import ConfigError

BATCH_PARAMETERS = ("authority", "month", "audience", "warehouse")
RUN_SCOPE_PARAMETERS = ("authorities",)
OPTIONAL_PARAMETERS = ("output_dir",)
SCOPES = ("authority", "run")
TOP_KEYS = {"audience", "workers", "notebook_dir", "timeout", "notebooks"}
NOTEBOOK_KEYS = {"parameters", "scope", "file", "timeout"}


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    path: Path
    scope: str = "authority"
    parameters: dict = field(default_factory=dict)
    timeout: int | None = None
    declared: tuple[str, ...] = ()  # parameter names in the template's parameters cell

    @property
    def wants_output_dir(self) -> bool:
        return "output_dir" in self.declared


@dataclass
class BatchConfig:
    source: Path | None
    audience: str | None = None
    workers: int | None = None
    notebook_dir: Path = REPO_ROOT / "notebooks"
    timeout: int = 900
    notebooks: dict[str, dict] = field(default_factory=dict)


def default_params_file() -> Path:
    return params_dir() / "batch.yaml"


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_config(path: Path | None) -> BatchConfig:
    """Read a params file; ``None`` means ``params/batch.yaml`` if present, else defaults."""
    explicit = path is not None
    path = Path(path) if explicit else default_params_file()
    if not path.exists():
        if explicit:
            raise ConfigError(f"params file not found: {path}")
        return BatchConfig(source=None)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    for key in raw:
        if key not in TOP_KEYS:
            raise ConfigError(f"{path}: unknown setting {key!r}{_suggest(key, TOP_KEYS)}; "
                              f"allowed: {', '.join(sorted(TOP_KEYS))}")
    cfg = BatchConfig(source=path)
    if "audience" in raw:
        cfg.audience = str(raw["audience"])
    if "workers" in raw:
        if not isinstance(raw["workers"], int) or raw["workers"] < 1:
            raise ConfigError(f"{path}: workers must be a whole number >= 1, got {raw['workers']!r}")
        cfg.workers = raw["workers"]
    if "timeout" in raw:
        if not isinstance(raw["timeout"], int) or raw["timeout"] < 1:
            raise ConfigError(f"{path}: timeout must be whole seconds >= 1, got {raw['timeout']!r}")
        cfg.timeout = raw["timeout"]
    if "notebook_dir" in raw:
        nd = Path(str(raw["notebook_dir"]))
        cfg.notebook_dir = nd if nd.is_absolute() else REPO_ROOT / nd
    notebooks = raw.get("notebooks") or {}
    if isinstance(notebooks, list):  # a plain list of names is fine too
        notebooks = {str(n): {} for n in notebooks}
    if not isinstance(notebooks, dict):
        raise ConfigError(f"{path}: notebooks must be a mapping of notebook name to settings")
    for name, opts in notebooks.items():
        opts = opts or {}
        if not isinstance(opts, dict):
            raise ConfigError(f"{path}: notebooks.{name}: expected a mapping of settings")
        for key in opts:
            if key not in NOTEBOOK_KEYS:
                raise ConfigError(f"{path}: notebooks.{name}: unknown setting {key!r}"
                                  f"{_suggest(key, NOTEBOOK_KEYS)}; allowed: {', '.join(sorted(NOTEBOOK_KEYS))}")
        if opts.get("scope", "authority") not in SCOPES:
            raise ConfigError(f"{path}: notebooks.{name}.scope must be one of {SCOPES}, got {opts['scope']!r}")
        if not isinstance(opts.get("parameters", {}), dict):
            raise ConfigError(f"{path}: notebooks.{name}.parameters must be a mapping")
        cfg.notebooks[str(name)] = opts
    return cfg


def inspect_parameters(path: Path) -> tuple[str, ...]:
    """Names declared in the template's cell tagged ``parameters`` (papermill's reading)."""
    import papermill

    try:
        return tuple(papermill.inspect_notebook(str(path)))
    except Exception as exc:  # unreadable notebook: name it
        raise ConfigError(f"{path}: cannot read the notebook's parameters: {exc}") from None


def resolve_notebooks(cfg: BatchConfig, names: list[str] | None, notebook_dir: Path | None = None) -> list[NotebookSpec]:
    """The notebooks to run, each checked against its template's parameters cell.

    ``names`` are notebook names (looked up in the notebook folder) or paths to ``.ipynb``
    files; ``None`` means the params file's list. Any parameter the batch or the params
    file would pass that the template does not declare is an error, raised here, before
    anything runs (papermill itself would only warn and inject it anyway).
    """
    folder = Path(notebook_dir) if notebook_dir is not None else cfg.notebook_dir
    if not names:
        names = list(cfg.notebooks)
    if not names:
        raise ConfigError("no notebooks to run: pass --notebooks or list them in params/batch.yaml")
    where = f"{cfg.source}" if cfg.source else "the command line"
    specs = []
    for name in names:
        candidate = Path(name)
        if candidate.suffix == ".ipynb":
            path, key = candidate, candidate.stem
        else:
            opts = cfg.notebooks.get(name, {})
            path, key = folder / opts.get("file", f"{name}.ipynb"), name
        if not path.exists():
            available = sorted(p.stem for p in folder.glob("*.ipynb")) if folder.is_dir() else []
            raise ConfigError(f"notebook {name!r} not found at {path}{_suggest(key, available)}"
                              + (f"; available: {', '.join(available)}" if available else ""))
        opts = cfg.notebooks.get(key, {})
        scope = opts.get("scope", "authority")
        extra = dict(opts.get("parameters") or {})
        declared = inspect_parameters(path)
        required = BATCH_PARAMETERS + (RUN_SCOPE_PARAMETERS if scope == "run" else ())
        missing = [p for p in required if p not in declared]
        if missing:
            raise ConfigError(f"{path.name}: its cell tagged 'parameters' must declare {', '.join(missing)} "
                              f"(declared: {', '.join(declared) or 'none'})")
        for pname in extra:
            if pname in required or pname in OPTIONAL_PARAMETERS:
                raise ConfigError(f"{where}: notebooks.{key}.parameters.{pname} is set by the batch itself; remove it")
            if pname not in declared:
                raise ConfigError(f"{where}: notebooks.{key}.parameters: {pname!r} is not a parameter of "
                                  f"{path.name}{_suggest(pname, declared)}; its parameters are: {', '.join(declared)}")
        specs.append(NotebookSpec(name=key, path=path.resolve(), scope=scope, parameters=extra,
                                  timeout=opts.get("timeout"), declared=declared))
    return specs
