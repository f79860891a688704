"""Musharaka admin web app (FastAPI, server-rendered)."""
