"""The engine: the scenario's years simulated, and their exact expectations.

``columns`` names what a result holds; ``simulation`` draws the years (Monte
Carlo, common random numbers for both models); ``expected`` gives the same
columns' exact means; ``metrics`` summarises a column (quantiles, exceedance).
"""
