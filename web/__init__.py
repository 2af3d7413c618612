"""The Bottle web application: the merchant API, the payment page and the operator's dashboard."""
