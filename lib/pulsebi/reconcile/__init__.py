"""Sales reconciliation: ghost appointments, commission split integrity, CRM vs accounting.

Each check is one function returning a pandas DataFrame with one row per exception (the
contract's reason code, the ids involved, the branch code and the figures that show the
problem). The work is done in SQL; only the exceptions travel to Python.
"""

from pulsebi.reconcile.external import find_external_mismatches
from pulsebi.reconcile.filters import Filters, parse_filters
from pulsebi.reconcile.ghosts import find_ghost_appointments
from pulsebi.reconcile.splits import find_split_exceptions

CHECKS = ("ghost-appointments", "splits", "external")

__all__ = [
    "CHECKS",
    "Filters",
    "find_external_mismatches",
    "find_ghost_appointments",
    "find_split_exceptions",
    "parse_filters",
]
