"""The JSON API front end (``/api/v1``): the list of its routers and its HTTP middleware.

The routers live beside their domain (``app/<domain>/router.py``); ``app.api.routers`` gathers them
for ``app.main.create_app``. Services never import this package (an import-linter contract).
"""
