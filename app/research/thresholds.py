"""The flag lines of the fairness figures, in a module of their own so that pages and the exposure figures
read them without loading the statistics libraries (statsmodels, SciPy, Fairlearn) the figures need."""

from __future__ import annotations

from typing import Final

FOUR_FIFTHS: Final = 0.8
"""The Uniform Guidelines' four-fifths rule: a group whose rate is under 0.8 of the highest group's is flagged
(impact ratios, Local Law 144 scoring-rate ratios, exposure ratios)."""
