"""The state's selection figures (Concept 2024-2029 §6) over the stored history."""
