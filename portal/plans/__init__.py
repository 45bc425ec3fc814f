"""Plans: which version of a patient's care plan to show, read and cached per version (store → pps)."""

from portal.plans.loader import LoadedPlan, PlanLoader
from portal.plans.versions import latest_entry

__all__ = ["LoadedPlan", "PlanLoader", "latest_entry"]
