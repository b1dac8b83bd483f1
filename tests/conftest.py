"""Shared fixtures and scenario strategies for the tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from msp_analysis import sample_scenario

# Statistical tests run on fixed examples: a failure is a finding, not noise,
# and is replayed exactly. `HYPOTHESIS_PROFILE=explore` draws new ones.
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def sample():
    return sample_scenario()
