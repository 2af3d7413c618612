"""The machine-facing HTTP API: the merchant contract (v1), the SMS hand-in, and its OpenAPI document."""
