"""The database: opening it (SQLite or PostgreSQL), the Peewee models, and the numbered migrations."""
