"""The selection's results, read from a competition's applications (``app.selection.service``)."""
