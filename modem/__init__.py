"""A small library that reads SMS off GSM modems over AT commands.

It knows AT commands, PDUs and SMS; it knows nothing of payments. It could be
published on its own.
"""
