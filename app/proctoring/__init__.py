"""Proctoring (прокторинг): events from the proctoring client, the proctors' review queue and its decisions."""
