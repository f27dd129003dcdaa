"""Research and fairness: group figures for researchers, aggregates only (issue 16)."""
