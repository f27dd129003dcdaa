"""The candidates' pages: server-rendered Jinja2 with htmx, in Kazakh and Russian, on the services the API uses."""
