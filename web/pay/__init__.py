"""The customer's payment page (``/pay/<id>/<sig>``)."""
