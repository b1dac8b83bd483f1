"""The table of defaults (``assumptions.csv``): every row has a basis and a range; published rows say what was measured."""

import math

import pytest

from msp_analysis import assumptions, sample_scenario
from msp_analysis.model.defaults import BASES
from msp_analysis.model.scenario import field_info


@pytest.fixture(scope="module")
def table():
    return assumptions()


def _numeric(path: str) -> bool:
    info = field_info(path)
    return info.choices is None and info.unit != "text"


def test_every_row_has_a_basis(table):
    bad = table.loc[~table["basis"].isin(BASES), "path"].tolist()
    assert not bad, f"rows without a valid basis: {bad}"


def test_every_numeric_row_has_a_range_holding_its_value(table):
    for row in table.itertuples():
        if _numeric(row.path):
            assert math.isfinite(row.low) and math.isfinite(row.high), f"{row.path}: no range"
            assert row.low <= float(row.value) <= row.high, f"{row.path}: {row.low} <= {row.value} <= {row.high} fails"
        else:
            # names, regimes, codes: a basis but no range
            assert math.isnan(row.low) and math.isnan(row.high), f"{row.path}: a range on a non-numeric row"


def test_published_rows_say_what_and_whom_was_measured(table):
    published = table[table["basis"] == "published"]
    assert len(published) > 0
    for row in published.itertuples():
        assert row.publisher and row.publisher != "assumption", row.path
        assert row.title and row.year, f"{row.path}: incomplete source"
        assert row.measured, f"{row.path}: published without what was measured"
        assert row.population, f"{row.path}: published without the population measured"


def test_assumption_rows_say_what_they_rest_on(table):
    for row in table[table["basis"] == "assumption"].itertuples():
        assert row.publisher == "assumption" and not row.title and not row.year, row.path
        assert row.note, f"{row.path}: an assumption must say what it rests on"


def test_audited_rows_are_no_longer_cited_for_what_their_source_did_not_measure(table):
    t = table.set_index("path")
    # the audit (issue 12): these numbers rest on no source that measured them
    for path in (
        "msp.patch_latency_days",
        "msp.sla_adherence",
        "security.patch_halving_days",
        "security.detection_severity_reduction",
        "security.outage_median_hours",
        "msp.prevented_share.p1",
        "msp.caught_early_share.p1",
        "incidents.p3.rate_per_user_year",
    ):
        assert t.loc[path, "basis"] == "assumption", path
    assert (
        "Datto" not in t.loc["security.outage_median_hours", "note"]
        or "not hours" in t.loc["security.outage_median_hours", "note"]
    )
    # severity per incident: from a per-claim SME figure, not Hiscox's yearly cost per firm
    sev = t.loc["security.severity_median"]
    assert sev["publisher"] != "Hiscox" and "per cyber insurance claim" in sev["measured"]
    # SLA adherence: a typical default, best in class only at the top of the range
    assert t.loc["msp.sla_adherence", "value"] != "0.95" and t.loc["msp.sla_adherence", "high"] >= 0.95
    # proactive effects: ranges that include "no effect"
    for k in ("p1", "p2", "p3"):
        assert t.loc[f"msp.prevented_share.{k}", "low"] == 0.0


def test_table_covers_exactly_the_scenario_fields(table):
    assert list(table["path"]) == sample_scenario().paths()
