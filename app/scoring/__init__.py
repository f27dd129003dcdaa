"""The commission's scoring of the scored stages and their closing (``app.scoring.stages``)."""
