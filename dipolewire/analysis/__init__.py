"""Analysis of trajectories the way a TEM image is judged, and every figure dipolewire draws.

Measurements (freud's pattern: settings, ``compute(...)``, results, ``plot(ax=None)``, a PNG in notebooks):

- :class:`~dipolewire.analysis.chains.Chains` — head-to-tail chains, the one chain criterion;
- :class:`~dipolewire.analysis.spacing.Spacing` — spacings between bonded neighbours;
- :class:`~dipolewire.analysis.order.Order` — polar, nematic and chain-direction order.

Modules: ``tem`` (measured TEM spacings and their comparison), ``micrograph`` (a simulated TEM image of a
deposit and the spacings measured on it, ``dipolewire micrograph``), ``figures`` (all drawing),
``run_analysis`` (``dipolewire analyze``), ``replica_stats`` (several runs: mean ± standard error),
``movie`` (``dipolewire movie``), ``run_summary`` (the files a finished run leaves), ``energy_table``
(``dipolewire energy``).
"""

from .chains import Chains
from .order import Order
from .spacing import Spacing
from .tem import TEM_BAND_NM

__all__ = ["Chains", "Order", "Spacing", "TEM_BAND_NM"]
