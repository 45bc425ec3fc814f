"""Access: who may see whose plan, in which capacity and which of its parts (grants), which documents each kind of
viewer may see (visibility), and the record of every view (records, trail). Between auth and the store."""

from portal.access.grants import (
    HOME,
    PART_PATHS,
    PLAN_PARTS,
    AccessUnavailable,
    Grant,
    RegionalAnswer,
    RegionalAsk,
    coordinator_grants,
    hidden_count,
    link_in_force,
    patient_side_grants,
    patient_view,
    plan_for,
    same_person,
)

__all__ = [
    "HOME",
    "PART_PATHS",
    "PLAN_PARTS",
    "AccessUnavailable",
    "Grant",
    "RegionalAnswer",
    "RegionalAsk",
    "coordinator_grants",
    "hidden_count",
    "link_in_force",
    "patient_side_grants",
    "patient_view",
    "plan_for",
    "same_person",
]
