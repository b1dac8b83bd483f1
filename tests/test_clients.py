"""Client folders: listing, loading, saving, and names that cannot escape the folder."""

from __future__ import annotations

import pytest

from msp_analysis import DataError, list_clients, load_client, save_client_scenario


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("MSP_ANALYSIS_DATA", str(tmp_path))
    return tmp_path


def test_the_bundled_sample_client():
    assert "sample" in list_clients()
    client = load_client("sample")
    assert client.scenario.organization.users == 45
    assert [p.name for p in (client.tickets, client.invoices, client.quote, client.readme)] == [
        "tickets.csv", "invoices.csv", "quote.csv", "README.md",
    ]  # fmt: skip
    assert "generated" in client.readme.read_text() and "seed" in client.readme.read_text()
    assert "tickets: tickets.csv" in client.describe()


def test_save_list_and_load(data, sample):
    assert list_clients() == []
    path = save_client_scenario("Acme Ltd", sample.replace({"organization.users": 80}))
    assert path == data / "clients" / "Acme Ltd" / "scenario.json"
    (data / "clients" / "no-scenario").mkdir()  # a folder without a scenario is not a client yet
    assert list_clients() == ["Acme Ltd"]
    client = load_client(" Acme Ltd ")
    assert client.scenario.organization.users == 80
    assert client.tickets is None and client.quote is None
    (client.folder / "tickets.xlsx").write_bytes(b"")
    assert load_client("Acme Ltd").tickets.name == "tickets.xlsx"


@pytest.mark.parametrize("name", ["../evil", "a/b", "a\\b", "", " ", ".hidden", "..", "x" * 65, "a..b", "trailing."])
def test_unsafe_names_are_refused(data, sample, name):
    with pytest.raises(DataError, match="client name"):
        save_client_scenario(name, sample)
    with pytest.raises(DataError):
        load_client(name)
    assert not any(p.name == "evil" for p in data.rglob("*"))


def test_missing_client_lists_the_others(data, sample):
    save_client_scenario("one", sample)
    with pytest.raises(DataError, match=r"no client 'two'.*'one'"):
        load_client("two")
    with pytest.raises(TypeError):
        save_client_scenario("one", {"not": "a scenario"})
