"""One router module per page family of the admin module."""
