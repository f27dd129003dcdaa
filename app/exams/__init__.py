"""Timed test sessions (тестілеу): booking, pages, answers, the server-side clock, scoring, certificates."""
