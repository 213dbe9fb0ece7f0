"""osaid: is this AI release really open source? Checks against the OSI Open Source AI Definition 1.0.

The Python API (`osaid.check`, `osaid.auditor`, `osaid.Report`, `osaid.AuditReport`) lives in
`osaid.api` and is imported on first use, so `import osaid` (and `osaid check`) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["AuditReport", "Report", "__version__", "audit", "check"]

if TYPE_CHECKING:
    from osaid.api import AuditReport, Report, audit, check


def __getattr__(name: str):
    if name in ("check", "audit", "Report", "AuditReport"):
        from osaid import api

        return getattr(api, name)
    raise AttributeError(f"module 'osaid' has no attribute {name!r}")
