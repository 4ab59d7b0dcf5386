"""Demo data of supervision: proposals, one listed major hazard with its notice, one dismissed
proposal, an inspection with its rectification order."""

from __future__ import annotations
