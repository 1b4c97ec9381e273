"""SSDA903 (children looked after return): loader, writer and DfE's episode fixes.

- ``read(paths, authority, account) -> Dataset`` and ``sniff(path) -> bool``: the loader
  (``KIND = "ssda903"``), CSV tables or the XML form, one or several years.
- ``write_ssda903(dataset, out_dir, years=None) -> list[Path]``: the return as DfE's CSV
  tables, one folder per authority and year ending 31 March.
"""

from .load import KIND, read
from .read_raw import sniff
from .write import write_ssda903

__all__ = ["KIND", "read", "sniff", "write_ssda903"]
