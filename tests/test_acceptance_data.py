"""Acceptance checks of the data layer: malformed files an acceptance test might hand over, and round trips."""

from __future__ import annotations

import pytest

from msp_analysis import DataError, load_invoices, load_msp_quote, load_tickets

LOADERS = [load_tickets, load_invoices, load_msp_quote]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_a_line_of_millions_of_separators_is_refused_naming_the_row(loader):
    # 2 MB of commas used to be laid out as 2 million columns: a minute or more before any message.
    data = b"Ticket #,Date Entered,Priority\n" + b"," * 2_000_000 + b"\n"
    with pytest.raises(DataError, match=r"huge\.csv: row 2 has 2,000,001 fields, more than the 16,384 columns"):
        loader(data, name="huge.csv")
