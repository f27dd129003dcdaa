"""Candidates: self-registration, the personal file, consents and the views others may see."""
