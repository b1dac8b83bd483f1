"""Files in: helpdesk tickets, invoices, quotes and assumption workbooks are read,
their values parsed, and the result calibrated into a scenario; client folders
and safe table exports live here too.
"""
