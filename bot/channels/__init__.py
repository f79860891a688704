"""Thin adapters between a channel (aiogram, python-telegram-bot, terminal) and the engine."""
