"""Musharaka: the Telegram bot, its channel-free engine and its conversations."""
