"""What the box does, one module per family, each operation one transaction.

``service.PaymentService`` gathers them for callers (the web app, the CLI, the
jobs): checkout (create, setCard, check), deposits and the review queue,
cards, API tokens; beside it the SMS intake, webhooks, the operator's login
and the dashboard's read models.
"""
