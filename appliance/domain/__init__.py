"""The pure rules of card-to-card payments: money and card numbers, unique amounts, the payment
state machine, matching deposits to payments, the API codes and the error types.

Nothing here does I/O or knows the database: every function can be tested with plain values.
"""
