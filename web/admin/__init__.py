"""The operator's dashboard (``/admin``): login, overview, review queue, cards, tokens, webhooks."""
