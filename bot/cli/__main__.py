"""``python -m bot.cli`` is the ``musharaka`` command."""

from bot.cli.main import main

main()
