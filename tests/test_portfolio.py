"""Portfolio runs: same answers everywhere, nothing lost, bad rows reported per row.

The cluster tests start real ``distributed.LocalCluster``s (worker processes)
on 127.0.0.1: one shared by most tests, one of their own for the test that
kills a worker.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")
from distributed import Client, LocalCluster

from msp_analysis import DataError, sample_scenario
from msp_analysis.__main__ import main
from msp_analysis.cluster import ClusterError, connect, free_port
from msp_analysis.engine import simulation
from msp_analysis.engine.simulation import simulate
from msp_analysis.portfolio import (
    RowError,
    RunFolderError,
    organization_seed,
    read_portfolio,
    run,
)
from msp_analysis.portfolio.sample import generate_portfolio, sample_portfolio_path

ROOT = Path(__file__).resolve().parent.parent
#: A small, fast run: few trials, no drivers (the sensitivity analysis is the costly part).
FAST = {"trials": 400, "drivers": 0, "progress": False}


def table(n: int = 8, seed: int = 3) -> pd.DataFrame:
    return generate_portfolio(n, seed=seed)


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as c,
        Client(c) as cl,
    ):
        yield cl


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("id").reset_index(drop=True)


# -- same answers everywhere ---------------------------------------------------------------------------


def test_serial_and_local_cluster_are_bit_identical(tmp_path, client):
    t = csv_bytes(table())
    with_drivers = {**FAST, "drivers": 2}
    serial = run(t, out=tmp_path / "serial", scheduler="serial", **with_drivers)
    cluster = run(t, out=tmp_path / "cluster", scheduler=client, **with_drivers)
    assert serial.summary["driver_2"].str.contains(".", regex=False).all()
    assert len(serial.summary) == 8 and not serial.errors
    pd.testing.assert_frame_equal(serial.summary, cluster.summary, check_exact=True)
    for key in (tmp_path / "serial" / "scenarios").iterdir():
        assert key.read_bytes() == (tmp_path / "cluster" / "scenarios" / key.name).read_bytes()


def test_row_order_does_not_change_any_result(tmp_path):
    t = table()
    shuffled = t.sample(frac=1.0, random_state=1)
    a = run(csv_bytes(t), out=tmp_path / "a", scheduler="serial", **FAST).summary
    b = run(csv_bytes(shuffled), out=tmp_path / "b", scheduler="serial", **FAST).summary
    assert a["id"].tolist() != b["id"].tolist()  # really another order
    pd.testing.assert_frame_equal(by_id(a).drop(columns="row"), by_id(b).drop(columns="row"), check_exact=True)


def test_id_is_text_007_and_7_draw_different_years(tmp_path):
    t = b"id,organization.users\n007,40\n7,40\n"
    s = run(t, out=tmp_path, scheduler="serial", **FAST).summary.set_index("id")
    assert s.loc["007", "expected_savings"] == s.loc["7", "expected_savings"]  # same organisation, exactly
    assert s.loc["007", "seed"] != s.loc["7", "seed"]
    assert s.loc["007", "savings_p5"] != s.loc["7", "savings_p5"]  # other random streams
    assert organization_seed(1, "007") != organization_seed(1, "7")
    assert organization_seed(1, "7") == organization_seed(1, "7")  # stable (no Python hash())


def test_seed_in_the_results_reproduces_the_organisations_simulation(tmp_path):
    s = run(b"id,organization.users\nA,60\n", out=tmp_path, scheduler="serial", **FAST).summary.iloc[0]
    scenario = sample_scenario().replace({"organization.users": 60})
    c = simulate(scenario, trials=FAST["trials"], seed=int(s["seed"]))
    assert c.prob_msp_cheaper == s["prob_msp_cheaper"]
    assert np.quantile(c.savings.to_numpy(), 0.05) == s["savings_p5"]


def test_simulate_on_a_cluster_equals_the_local_run_bit_for_bit(client, monkeypatch):
    # Small chunks, so that a short run has several: the layout is the driver's, workers draw one chunk each.
    monkeypatch.setattr(simulation, "CHUNK_TRIALS", 1_000)
    s = sample_scenario()
    local = simulate(s, trials=5_500, seed=11, progress=False)
    remote = simulate(s, trials=5_500, seed=11, progress=False, scheduler=client)
    for model in ("break_fix", "msp"):
        pd.testing.assert_frame_equal(local[model].trials, remote[model].trials, check_exact=True)


# -- nothing lost ------------------------------------------------------------------------------------------


def test_a_worker_killed_mid_run_is_replaced_and_every_row_comes_back_once(tmp_path):
    ids = table(10)["id"].tolist()
    t = csv_bytes(table(10))
    killed: list[tuple[int, int]] = []  # (pid, tasks it was running or holding)
    seen: list[str] = []

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as c,
        Client(c) as cl,
    ):
        pids = cl.run(os.getpid)

        def kill_a_busy_worker(record):
            seen.append(record["id"])
            if not killed:
                busy = {w: len(keys) for w, keys in cl.processing().items() if keys}
                worker = max(busy, key=busy.get)
                os.kill(pids[worker], signal.SIGKILL)
                killed.append((pids[worker], busy[worker]))

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            job = pool.submit(
                run,
                t,
                out=tmp_path,
                scheduler=cl,
                on_result=kill_a_busy_worker,
                trials=2_000,
                drivers=0,
                progress=False,
            )
            result = job.result(timeout=120)  # a hang fails here instead of blocking the suite
        after = set(cl.run(os.getpid).values())
    ((pid, tasks),) = killed
    assert tasks >= 1 and pid not in after  # it had work, it died, its nanny started another
    assert sorted(seen) == sorted(result.summary["id"]) == sorted(ids)  # every row once
    assert len(list((tmp_path / "results").glob("*.parquet"))) == 10
    # and the results are the ones an undisturbed run gives
    clean = run(t, out=tmp_path / "clean", scheduler="serial", trials=2_000, drivers=0, progress=False)
    pd.testing.assert_frame_equal(by_id(result.summary), by_id(clean.summary), check_exact=True)


class Stop(Exception):
    pass


def stop_after(k: int):
    count = []

    def callback(record):
        count.append(record["id"])
        if len(count) == k:
            raise Stop

    return callback


def test_interrupted_run_resumes_and_skips_what_is_done(tmp_path):
    t = csv_bytes(table())
    with pytest.raises(Stop):
        run(t, out=tmp_path, scheduler="serial", on_result=stop_after(3), **FAST)
    assert len(list((tmp_path / "results").glob("*.parquet"))) == 3
    assert len(pd.read_csv(tmp_path / "summary.csv", encoding="utf-8-sig")) == 3  # written even so
    again = run(t, out=tmp_path, scheduler="serial", **FAST)
    assert len(again.skipped) == 3 and len(again.computed) == 5
    assert set(again.skipped).isdisjoint(again.computed)
    once = run(t, out=tmp_path / "once", scheduler="serial", **FAST)
    pd.testing.assert_frame_equal(again.summary, once.summary, check_exact=True)


def test_interrupted_cluster_run_resumes_too(tmp_path, client):
    t = csv_bytes(table())
    with pytest.raises(Stop):
        run(t, out=tmp_path, scheduler=client, on_result=stop_after(2), **FAST)
    again = run(t, out=tmp_path, scheduler=client, **FAST)
    assert len(again.skipped) == 2 and len(again.computed) == 6
    assert sorted(again.summary["id"]) == sorted(table()["id"])


def test_an_edited_row_is_computed_again_on_resume(tmp_path):
    t = table(4)
    run(csv_bytes(t), out=tmp_path, scheduler="serial", **FAST)
    t.loc[1, "organization.users"] = 333
    again = run(csv_bytes(t), out=tmp_path, scheduler="serial", **FAST)
    assert again.computed == (t.loc[1, "id"],)
    assert again.summary.set_index("id").loc[t.loc[1, "id"], "users"] == 333


def test_a_folder_of_another_run_is_refused(tmp_path):
    t = csv_bytes(table(2))
    run(t, out=tmp_path, scheduler="serial", **FAST)
    with pytest.raises(RunFolderError, match=r"trials 400 there, 500 now"):
        run(t, out=tmp_path, scheduler="serial", **{**FAST, "trials": 500})
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match="not empty"):
        run(t, out=tmp_path / "other", scheduler="serial", **FAST)


# -- bad rows --------------------------------------------------------------------------------------------------


BAD = (
    b"id,name,organization.users,msp.per_user_monthly,msp.per_user_montly\n"
    b"A,Good,30,110,\n"  # row 2
    b"B,Typo,30,110,95\n"  # row 3: a value in a column that is no scenario path
    b"C,Bad value,-4,abc,\n"  # row 4: two bad values
    b",No id,30,110,\n"  # row 5
    b"D,First D,30,,\n"  # row 6
    b"D,Second D,31,,\n"  # row 7
    b"E,Good too,12,,\n"  # row 8
)


def test_bad_rows_are_reported_per_row_and_the_others_run(tmp_path):
    result = run(BAD, out=tmp_path, scheduler="serial", **FAST)
    assert result.summary["id"].tolist() == ["A", "E"]
    errors = {e.row: e for e in result.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert all(isinstance(e, RowError) and isinstance(e, DataError) for e in result.errors)
    assert "row 3 (id 'B'), column 'msp.per_user_montly': '95' is in a column that is not a scenario path" in str(
        errors[3]
    )
    assert [p["column"] for p in errors[4].problems] == ["organization.users", "msp.per_user_monthly"]
    assert "row 4 (id 'C'): 2 problems" in str(errors[4])
    assert "row 5, column 'id': the id is blank" in str(errors[5])
    assert "'D' is also the id on row 7" in str(errors[6]) and "on row 6" in str(errors[7])
    table_ = pd.read_csv(tmp_path / "errors.csv", encoding="utf-8-sig")
    assert table_["row"].tolist() == [3, 4, 4, 5, 6, 7]


def test_row_errors_are_gone_from_errors_csv_once_fixed(tmp_path):
    run(b"id,organization.users\nA,30\nB,abc\n", out=tmp_path, scheduler="serial", **FAST)
    assert (tmp_path / "errors.csv").exists()
    fixed = run(b"id,organization.users\nA,30\nB,31\n", out=tmp_path, scheduler="serial", **FAST)
    assert fixed.computed == ("B",) and not (tmp_path / "errors.csv").exists()


def test_values_that_do_not_fit_together_name_the_column(tmp_path):
    p = read_portfolio(b"id,incidents.p1.work_median_hours\nA,9\n")
    (err,) = p.errors
    assert err.problems[0]["column"] is None and "incidents.p1.work_p90_hours" in str(err)
    p = read_portfolio(b"id,incidents.p1.work_p90_hours\nA,1\n")
    assert p.errors[0].problems[0]["column"] == "incidents.p1.work_p90_hours"


def test_a_table_without_an_id_column_is_a_data_error():
    with pytest.raises(DataError, match="id"):
        read_portfolio(b"name,organization.users\nA,3\n", name="t.csv")


def test_client_column_uses_the_client_folder_and_its_tickets(tmp_path):
    clients = ROOT / "data" / "clients"
    t = b"id,client,organization.users\nS,sample,\nN,northwind_dental,200\nX,nobody,\n"
    p = read_portfolio(t, clients=clients)
    (err,) = p.errors
    assert err.row == 4 and err.problems[0]["column"] == "client" and "nobody" in str(err)
    rows = {r.id: r for r in p.rows}
    assert rows["S"].tickets is not None and rows["N"].tickets is None
    raw = rows["S"].base
    calibrated = rows["S"].scenario()
    assert calibrated.incidents.p3.rate_per_user_year != raw.incidents.p3.rate_per_user_year
    assert rows["N"].scenario().organization.users == 200


def test_a_client_whose_tickets_cannot_be_read_is_reported_and_the_others_run(tmp_path):
    clients = tmp_path / "clients"
    for name in ("good", "broken"):
        (clients / name).mkdir(parents=True)
        sample_scenario().to_json(clients / name / "scenario.json")
    (clients / "broken" / "tickets.csv").write_bytes(b"%PDF-1.4 not a ticket export")
    result = run(clients, out=tmp_path / "out", scheduler="serial", **FAST)
    assert result.summary["id"].tolist() == ["good"]
    (err,) = result.errors
    assert err.id == "broken" and "tickets.csv" in str(err) and "PDF" in str(err)


def test_the_clients_folder_itself_is_a_portfolio(tmp_path):
    result = run(ROOT / "data" / "clients", out=tmp_path, scheduler="serial", **FAST)
    assert result.summary["id"].tolist() == ["northwind_dental", "sample"]
    assert result.summary["client"].tolist() == ["northwind_dental", "sample"]


# -- the cluster ---------------------------------------------------------------------------------------------------


def test_a_scheduler_that_does_not_answer_fails_within_seconds(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match=r"no Dask scheduler answered at tcp://127\.0\.0\.1"):
        run(b"id\nA\n", out=tmp_path, scheduler=address, timeout=2, **FAST)
    assert time.perf_counter() - t0 < 15


def test_workers_running_another_version_are_refused(client, monkeypatch):
    from msp_analysis import cluster

    monkeypatch.setattr(cluster, "package_fingerprint", lambda: "a different checkout")
    with pytest.raises(ClusterError, match="msp_analysis source differs"), connect(client):
        pass


def test_dask_scheduler_address_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", f"tcp://127.0.0.1:{free_port()}")
    with pytest.raises(ClusterError, match="no Dask scheduler answered"):
        run(b"id\nA\n", out=tmp_path, timeout=1, **FAST)


# -- reports and the command line -------------------------------------------------------------------------------------


def test_an_organisations_report_equals_the_report_command(tmp_path, capsys):
    result = run(
        b"id,name,organization.users\n42,Acme Dental,25\n",
        out=tmp_path / "run",
        scheduler="serial",
        reports=True,
        trials=300,
        drivers=0,
        progress=False,
    )
    s = result.summary.iloc[0]
    (scenario_json,) = (tmp_path / "run" / "scenarios").iterdir()
    folder = tmp_path / "run" / "reports" / scenario_json.stem
    assert sorted(p.suffix for p in folder.iterdir()) == [".html", ".pdf", ".pptx"]
    argv = ["report", "--scenario", str(scenario_json), "--out", str(tmp_path / "cli"), "--trials", "300"]
    assert main([*argv, "--seed", str(s["seed"]), "--formats", "html"]) == 0
    (cli_html,) = (tmp_path / "cli").glob("*.html")
    assert cli_html.read_bytes() == (folder / cli_html.name).read_bytes()


def test_cli_runs_a_portfolio_and_reports_bad_rows(tmp_path, capsys):
    src = tmp_path / "t.csv"
    src.write_bytes(b"id,organization.users\nA,30\nB,abc\n")
    code = main(["portfolio", str(src), "--out", str(tmp_path / "out"), "--trials", "300", "--scheduler", "serial"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "1 organisations in" in out and "1 rows could not run" in out
    assert "error: t.csv: row 3 (id 'B'), column 'organization.users'" in err
    assert len(pd.read_csv(tmp_path / "out" / "summary.csv", encoding="utf-8-sig")) == 1


def test_cli_dead_scheduler_is_one_line_and_status_2(tmp_path, capsys):
    src = tmp_path / "t.csv"
    src.write_bytes(b"id\nA\n")
    address = f"tcp://127.0.0.1:{free_port()}"
    argv = ["portfolio", str(src), "--out", str(tmp_path / "o"), "--scheduler", address, "--timeout", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith(f"error: no Dask scheduler answered at {address}")


# -- the sample --------------------------------------------------------------------------------------------------------


def test_shipped_sample_portfolio_is_the_generators_default_draw():
    shipped = pd.read_csv(sample_portfolio_path(), dtype={"id": str})
    pd.testing.assert_frame_equal(shipped, generate_portfolio(), check_dtype=False)
    p = read_portfolio(sample_portfolio_path())
    assert len(p.rows) == 300 and not p.errors
