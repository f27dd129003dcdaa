"""``python -m app`` is the ``irikteu`` command."""

from app.cli import main

main()
