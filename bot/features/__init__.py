"""The bot's areas, one package each: its flows, commands, buttons and reminders, one file
per job, and a ``register(registry)`` that ``bot.app`` calls.

core (start, menu, language, onboarding, cancel), surveys, priorities, volunteers,
associations, trainings, consultations, broadcasts, cases, privacy.
"""
