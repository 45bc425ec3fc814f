"""Hypothesis profiles of the fuzz tests: small and the same examples at every run by default (the unit layer
stays quick and deterministic: what passed once passes again), larger and new at every run on demand with
`HYPOTHESIS_PROFILE=fuzz-long`, to search further (a failure it finds prints how to reproduce it)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,  # no timing in tests: a busy machine is not a bug (bench/ measures speed)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    derandomize=True,  # examples drawn from a seed made of each test's name: the same at every run
    print_blob=True,
)
settings.register_profile("fuzz-long", parent=settings.get_profile("fuzz"), max_examples=1000, derandomize=False)
#: The profile the fuzz tests run with: `fuzz`, or `fuzz-long` when HYPOTHESIS_PROFILE names it.
FUZZ = settings.get_profile("fuzz-long" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-long" else "fuzz")
