"""Interactive exploration (layer 7): chase an anomaly from a number to the records behind it.

``Explorer(warehouse)`` holds the logic; ``notebooks/explore.py`` (marimo) and
``notebooks/explore_widgets.ipynb`` (JupyterLab, ``widgets.ExplorerWidgets``) only wire it
to controls. Child-level: internal use only, never a shared output.
"""

from .explorer import INTERNAL_NOTICE, Explorer, Selection, View, picked_values  # noqa: F401
