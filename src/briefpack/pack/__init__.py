"""Pack: a spec + the data + a target → a plan (every block resolved, its reads recorded)."""

from .model import PackPlan
from .plan import plan_pack

__all__ = ["PackPlan", "plan_pack"]
