"""Pack: a spec + the data + a target → a plan (every block resolved, its reads recorded).

Nothing is imported eagerly: the nightly up-to-date check uses ``pack.reads`` constants
without loading the block resolvers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PackPlan", "plan_pack"]


def __getattr__(name: str) -> Any:
    if name == "PackPlan":
        from .model import PackPlan

        return PackPlan
    if name == "plan_pack":
        from .plan import plan_pack

        return plan_pack
    raise AttributeError(name)
