"""rmbs: residential mortgage pass-through trusts, from the PSA filing to the trustee's statement."""

from rmbs.errors import AssumptionError, DealError, IngestError, RmbsError, ValidationError

__version__ = "0.1.0"

__all__ = [
    "AssumptionError",
    "DealError",
    "IngestError",
    "RmbsError",
    "ValidationError",
    "__version__",
]
