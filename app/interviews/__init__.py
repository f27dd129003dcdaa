"""Interviews (әңгімелесу) with the competition commission: slots, scores and the place for recordings."""
