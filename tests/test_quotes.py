"""MSP quotes: price lines into the msp section, with errors naming the quote's file and row."""

from __future__ import annotations

import pytest

from msp_analysis import DataError, ValidationError, apply_quote, load_msp_quote, sample_scenario
from msp_analysis.ingest.clients import load_client
from msp_analysis.ingest.quotes import PRICE_PATHS, classify_line
from msp_analysis.ingest.synthetic import generate_quote


@pytest.mark.parametrize(
    ("item", "unit", "path"),
    [
        ("Managed services", "per user per month", "msp.per_user_monthly"),
        ("Help desk", "per seat", "msp.per_user_monthly"),
        ("Endpoint management", "per device", "msp.per_workstation_monthly"),
        ("Workstations", "", "msp.per_workstation_monthly"),
        ("Server care", "per server", "msp.per_server_monthly"),
        ("Platform fee", "flat", "msp.flat_monthly"),
        ("Minimum monthly charge", "", "msp.monthly_minimum"),
        ("Setup", "one-off", "msp.onboarding_fee"),
        ("Onboarding", "", "msp.onboarding_fee"),
        ("Contract term", "months", "msp.term_months"),
        ("Out-of-scope work", "per hour", "msp.out_of_scope_rate"),
        ("Additional work", "hourly", "msp.out_of_scope_rate"),
        ("Annual price increase", "%", "msp.annual_escalator"),
        ("P1 response", "minutes", "msp.sla_response_hours.p1"),
        ("Priority 3 response target", "hours", "msp.sla_response_hours.p3"),
        ("SLA adherence", "%", "msp.sla_adherence"),
        ("vCIO", "hours per year", "msp.vcio_hours_per_year"),
        ("msp.patch_latency_days", "", "msp.patch_latency_days"),
        ("Coffee", "per cup", None),
    ],
)
def test_lines_are_classified(item, unit, path):
    assert classify_line(item, unit) == path


def test_the_sample_quote_reproduces_the_sample_prices(sample):
    quote = load_msp_quote(load_client("sample").quote)
    assert apply_quote(sample, quote) == sample
    assert quote.rows["msp.per_user_monthly"] == [2]
    assert quote.source == "quote.csv"
    generated = load_msp_quote(generate_quote(sample).to_csv(index=False).encode(), name="q.csv")
    assert dict(generated) == dict(quote)


def test_periods_bundles_percentages_and_minutes(sample):
    text = (
        "Item,Unit,Price\n"
        "Help desk,per user per month,$80\n"
        "Security stack,per user per month,$25.50\n"
        'Server care,per server per year,"1,800"\n'
        "Annual increase,,5%\n"
        "P1 response,minutes,30\n"
        "Term,years,3\n"
    )
    quote = load_msp_quote(text.encode(), name="q.csv")
    assert quote["msp.per_user_monthly"] == pytest.approx(105.5)
    assert quote.rows["msp.per_user_monthly"] == [2, 3]
    assert quote["msp.per_server_monthly"] == pytest.approx(150.0)
    assert quote["msp.annual_escalator"] == pytest.approx(0.05)
    assert quote["msp.sla_response_hours.p1"] == pytest.approx(0.5)
    assert quote["msp.term_months"] == 36
    s = apply_quote(sample, quote)
    assert s.msp.per_user_monthly == pytest.approx(105.5)
    assert s.msp.onboarding_fee == 0.0 and s.msp.monthly_minimum == 0.0  # not quoted: no such charge
    kept = apply_quote(sample, quote, reset_prices=False)
    assert kept.msp.onboarding_fee == sample.msp.onboarding_fee
    assert set(PRICE_PATHS) <= set(s.paths())


def test_bad_quote_lines_are_named():
    text = "Item,Unit,Price\nCoffee,per cup,3\nUsers,per user,-3\nTerm,months,12\nTerm,months,24\nServers,per server,lots\n"
    with pytest.raises(DataError) as err:
        load_msp_quote(text.encode(), name="q.csv")
    msg = str(err.value)
    assert "row 2, column 'Item': 'Coffee (per cup)' is not a price line" in msg
    assert "row 3, column 'Price': '-3' is negative" in msg
    assert "row 5, column 'Item': 'Term' sets msp.term_months again (first on row 4)" in msg
    assert "row 6, column 'Price': 'lots'" in msg
    assert "lenient" not in msg


def test_rejected_values_name_the_quote_file_and_row(sample):
    # a line the scenario refuses is refused as the quote is read
    with pytest.raises(DataError, match=r"row 3, column 'Price': '500' gives msp\.term_months = 500; expected a whole"):
        load_msp_quote(b"Item,Unit,Price\nUsers,per user,100\nContract term,months,500\n", name="q.csv")
    # lines that add up to a value the scenario refuses are named when the quote is applied
    quote = load_msp_quote(b"Item,Unit,Price\nHelp desk,per user,60000\nSecurity,per user,60000\n", name="q.csv")
    with pytest.raises(ValidationError) as err:
        apply_quote(sample, quote)
    assert err.value.path == "msp.per_user_monthly"
    assert "(from q.csv, rows 2, 3)" in str(err.value)
    with pytest.raises(ValidationError, match="msp"):
        apply_quote(sample, {"organization.users": 3})


def test_quote_files_that_are_not_quotes(tmp_path):
    with pytest.raises(DataError, match="'item'"):
        load_msp_quote(b"a,b\n1,2\n", name="q.csv")
    with pytest.raises(DataError, match="no data rows"):
        load_msp_quote(b"Item,Unit,Price\n", name="q.csv")


# Found in acceptance testing


def test_a_quotes_report_prints():
    quote = load_msp_quote(b"Item,Unit,Price\nSupport,per user,120\nTerm,months,36\n", name="q.csv")
    assert quote.report.period == (None, None)  # a quote covers no period; its rows are not dates
    assert "rows read: 2" in str(quote.report)


@pytest.mark.parametrize(
    ("item", "unit"),
    [
        ("Managed IT", "per mailbox per month"),
        ("Server backup", "per TB per month"),
        ("Platform", "per tenant monthly"),
    ],
)
def test_a_price_per_something_unknown_is_not_read_as_another_price(item, unit):
    assert classify_line(item, unit) is None
    with pytest.raises(DataError, match=rf"row 3, column 'Item': '{item} \({unit}\)' is not a price line"):
        load_msp_quote(f"Item,Unit,Price\nUsers,per user,100\n{item},{unit},12\n".encode(), name="q.csv")


def test_issue_12_terms_are_read_and_a_percentage_is_never_a_term():
    # an acceptance tester's list: the premium was read as a 5-year term, the month-to-month one as an escalator
    csv = (
        b"Item,Price\n"
        b"Managed services per user / month,$125\n"
        b"One-year term premium,5%\n"
        b"Price increase if month-to-month,15%\n"
        b"Co-managed discount,20%\n"
        b"After-hours rate multiplier,1.5\n"
    )
    quote = load_msp_quote(csv, name="q.csv")
    assert dict(quote) == {
        "msp.per_user_monthly": 125.0,
        "msp.one_year_premium": 0.05,
        "msp.month_to_month_premium": 0.15,
        "msp.co_managed_discount": 0.2,
        "msp.after_hours_rate_multiplier": 1.5,
    }
    s = apply_quote(sample_scenario(), quote)
    assert (s.msp.one_year_premium, s.msp.month_to_month_premium) == (0.05, 0.15)
    assert (s.msp.co_managed_discount, s.msp.after_hours_rate_multiplier) == (0.2, 1.5)
    assert s.msp.term_months == sample_scenario().msp.term_months
    assert s.msp.annual_escalator == sample_scenario().msp.annual_escalator


@pytest.mark.parametrize(
    ("item", "price", "path", "value"),
    [
        ("Month-to-month premium", "15%", "msp.month_to_month_premium", 0.15),
        ("12-month term premium", "5%", "msp.one_year_premium", 0.05),
        ("Descuento cogestionado", "20 %", "msp.co_managed_discount", 0.2),
        ("Recargo fuera de horario", "50 %", "msp.after_hours_rate_multiplier", 1.5),
        ("After-hours surcharge", "50%", "msp.after_hours_rate_multiplier", 1.5),
        ("Majoration hors heures ouvrées", "100%", "msp.after_hours_rate_multiplier", 2.0),
        ("Zuschlag außerhalb der Geschäftszeiten", "25%", "msp.after_hours_rate_multiplier", 1.25),
        ("Desconto cogerido", "10%", "msp.co_managed_discount", 0.1),
        ("Prima mes a mes", "20%", "msp.month_to_month_premium", 0.2),
        ("Recargo con plazo de un año", "5%", "msp.one_year_premium", 0.05),
        ("Aufschlag bei einem Jahr Laufzeit", "8%", "msp.one_year_premium", 0.08),
    ],
)
def test_issue_12_terms_in_five_languages(item, price, path, value):
    quote = load_msp_quote(f"Item,Price\nUsers,100\n{item},{price}\n".encode(), name="q.csv")
    assert quote[path] == pytest.approx(value)
    assert set(quote) == {"msp.per_user_monthly", path}


def test_a_percentage_on_a_term_line_and_ambiguous_terms_are_refused_in_one_error():
    csv = (
        b"Item,Price\n"
        b"Users,100\n"
        b"Contract term,5%\n"
        b"Month-to-month or one-year premium,10%\n"
        b"After-hours rate,$200\n"
        b"After-hours surcharge,50\n"
        b"Month-to-month annual increase,5%\n"
        b"Month-to-month per user,$150\n"
    )
    with pytest.raises(DataError) as e:
        load_msp_quote(csv, name="q.csv")
    text = str(e.value)
    assert "6 problems" in text
    assert "row 3, column 'Price': '5%' is a percentage, not a term" in text
    assert "row 4, column 'Item'" in text and "could be msp.month_to_month_premium or msp.one_year_premium" in text
    assert "row 5, column 'Item'" in text and "after-hours hourly rate" in text
    assert "row 6, column 'Price': '50' is a surcharge without a percent sign" in text
    assert "row 7, column 'Item'" in text and "could be msp.month_to_month_premium or msp.annual_escalator" in text
    assert "row 8, column 'Item'" in text and "is a month-to-month price" in text
    assert "expected one term per line" in text
