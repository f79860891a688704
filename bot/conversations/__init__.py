"""Guided conversations, one module each, written against ``bot.engine`` only."""
