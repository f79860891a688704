"""Commands and menus (/start, /help, /menu, /cancel, /language, ...)."""
