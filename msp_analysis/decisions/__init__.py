"""Decision tools built on the engine: break-even, sensitivity, projection,
monthly budget, the scorecard and the check of last year's invoices.
"""
