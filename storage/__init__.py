"""Musharaka storage: SQLAlchemy models and the operations of each area."""
