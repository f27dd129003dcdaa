"""Appointment after a competition and by the routes outside competition (selection-rules §9, §11)."""
