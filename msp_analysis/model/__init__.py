"""The model: what a scenario says and how each part of it is priced.

Data flows ``scenario`` (the inputs, validated against the units and ranges
declared with ``fields``) → ``incidents`` (how many, of which priority) →
``response`` (how fast each is answered) → ``billing`` (what an hour of work
is billed, rounded to the increment) → ``downtime`` (what an hour lost costs)
and ``security`` (costly incidents and fines). ``defaults`` reads the bundled
sample organisation and the table of sources.
"""
