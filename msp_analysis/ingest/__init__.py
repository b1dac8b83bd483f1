"""Files in: helpdesk tickets, invoices, quotes and assumption workbooks are read,
their values parsed, and the result calibrated into a scenario; client folders
and safe table exports live here too.

Where things are (in the order a file travels)::

    sources.py       a path, bytes or upload read within MAX_BYTES; what kind of file the bytes are (sniff)
    csv_grid.py      a CSV's records: encoding and separator detected, ragged rows kept
    xlsx_grid.py     an XLSX's sheets: zip-bomb checks, MAX_SHEET_ROWS, formulas with no saved value
    grid.py          the Grid of raw cells both make, padded within MAX_PADDED_CELLS / MAX_COLUMNS
    columns.py       ColumnSpec, the aliases exports use, a header's columns mapped to a loader's
    tables.py        read_table: the header found below any title rows, the data rows under it
    cells.py         one cell: blank, text, yes/no, whole counts, and how a message shows it
    dates.py         date formats recognised, day/month order decided, bad dates reported
    durations.py     "1.5", "90 min", "1:30", "1h 30m" as hours
    money.py         "$1,234.50", "1.234,50 EUR", "(120.00)" as amounts
    priorities.py    "P1", "Sev 2", "Urgent", "Normal" (PRIORITY_WORDS) as p1-p4; priority_map for others
    problems.py      Problems collected per check, finish() raising them all or setting rows aside,
                     LoadReport, and guard (which failures of a file become a DataError)
    tickets.py       load_tickets        invoices.py   load_invoices        quotes.py   load_msp_quote
    workbook.py      a scenario as an Excel assumptions workbook, and back
    calibration.py   calibrate: tickets -> the incident model, with CalibrationResult
    calibration_fits.py  each quantity's fit and the rules for thin data
    estimators.py    exact Poisson/binomial intervals, the Gamma maximum-likelihood fit
    business_time.py hours counted Monday-Friday within opening hours
    synthetic.py     ticket logs, invoices and quotes generated from a scenario (the sample client)
    clients.py       client folders under the data directory
    export.py        tables written to CSV/XLSX without formula injection
"""
