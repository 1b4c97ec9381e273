"""The CIN census XML: streaming loader (``read``), sniffer and writer.

``KIND``, ``sniff(path)`` and ``read(paths, authority, account)`` follow the loader
contract ``cscw load`` uses; ``write_cin_census`` writes one file per authority per
collection year in that year's layout.
"""

from .reader import KIND, read, sniff
from .writer import default_years, write_cin_census

__all__ = ["KIND", "read", "sniff", "write_cin_census", "default_years"]
