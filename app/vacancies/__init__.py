"""Vacancies (бос лауазым) announced by a state body's HR service."""
