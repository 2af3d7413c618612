"""The CartToCart domain: payments, amounts, matching, bank SMS, ingestion, jobs and the store.

Dependencies point one way: ``web -> appliance <- appliance.runtime -> modem``.
Nothing in this package imports ``web`` or ``modem`` except the composition
root (:mod:`appliance.runtime`) and the CLI commands that call it.
"""

__version__ = "0.1.0"
