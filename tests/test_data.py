"""The bundled data: sample scenario and the source of every default."""

from msp_analysis import assumptions, sample_scenario, scenario_assumptions


def test_every_field_has_a_sourced_default():
    table = assumptions()
    s = sample_scenario()
    assert list(table["path"]) == s.paths()
    for row in table.itertuples():
        # a source is publisher, title and year, or the word "assumption", or "client data" for what only the
        # client can state (its time zone): nothing published, nothing assumed
        if row.basis == "client data":
            assert row.source == "client data" and not row.title and not row.year
        elif row.publisher != "assumption":
            assert row.title and row.year, f"{row.path}: incomplete source"
            assert row.source == f"{row.publisher}, {row.title}, {row.year}"
        else:
            assert row.source == "assumption" and not row.title and not row.year
        assert row.note, f"{row.path} has no note"
        value = s.get(row.path)
        assert str(value) == row.value or float(row.value) == value, row.path


def test_scenario_assumptions_flags_changes():
    s = sample_scenario().replace({"msp.per_user_monthly": 99})
    t = scenario_assumptions(s).set_index("path")
    assert bool(t.loc["msp.per_user_monthly", "changed"])
    assert not t.drop("msp.per_user_monthly")["changed"].any()
