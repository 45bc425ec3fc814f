"""Projections by allowlist: only the fields a path names survive; anything else, a field added later included,
comes out empty; a path that names nothing, or leaves a field that cannot be empty, is refused."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from portal.pps.projection import ProjectionError, project


@dataclass(frozen=True, slots=True)
class Phone:
    number: str
    use: str | None = None


@dataclass(frozen=True, slots=True)
class Doctor:
    name: str | None
    phones: tuple[Phone, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    when: str | None = None
    note: str | None = None
    doctors: tuple[Doctor, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...] = ()
    comment: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PlanWithANewField(Plan):
    """The same record after someone added a field: nobody granted it yet."""

    secret_added_later: str | None = None


PLAN = Plan(
    steps=(Step("chemo", "2026-03-01", "note", (Doctor("Dr A", (Phone("01", "work"),)),)), Step("surgery")),
    comment="comment",
    tags=["t"],
)


def test_a_path_to_a_field_keeps_it_whole_and_empties_the_rest() -> None:
    assert project(PLAN, ["steps"]) == Plan(steps=PLAN.steps)


def test_a_path_inside_a_tuple_applies_to_each_element() -> None:
    kept = project(PLAN, ["steps.kind", "steps.when"])
    assert kept == Plan(steps=(Step("chemo", "2026-03-01"), Step("surgery")))


def test_nested_paths_reach_deep_fields_only() -> None:
    kept = project(PLAN, ["steps.kind", "steps.doctors.phones"])
    assert kept.steps[0].doctors == (Doctor(None, (Phone("01", "work"),)),)
    assert kept.steps[0].note is None and kept.comment is None and kept.tags == []


def test_a_field_added_later_stays_hidden_until_someone_grants_it() -> None:
    later = PlanWithANewField(steps=PLAN.steps, comment="comment", secret_added_later="secret")
    assert project(later, ["steps", "comment"]).secret_added_later is None
    assert project(later, ["secret_added_later"]).secret_added_later == "secret"


def test_no_path_gives_an_empty_record() -> None:
    assert project(PLAN, []) == Plan()


def test_a_whole_field_wins_over_a_narrower_path_to_it() -> None:
    assert project(PLAN, ["steps.kind", "steps"]) == project(PLAN, ["steps"]) == Plan(steps=PLAN.steps)


def test_a_misspelt_path_is_refused() -> None:
    with pytest.raises(ProjectionError, match="has no field 'stpes'"):
        project(PLAN, ["stpes"])
    with pytest.raises(ProjectionError, match="Step has no field 'date'"):
        project(PLAN, ["steps.date"])


def test_a_required_field_left_out_of_a_kept_record_is_refused() -> None:
    """`Step.kind` cannot be empty: keeping steps without it would have to invent or leak a value."""
    with pytest.raises(ProjectionError, match=r"steps\.kind cannot be empty"):
        project(PLAN, ["steps.when"])


def test_the_original_is_left_as_it_was() -> None:
    before = repr(PLAN)
    project(PLAN, ["steps.kind"])
    assert repr(PLAN) == before
