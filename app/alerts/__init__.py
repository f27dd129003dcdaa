"""Vacancy alerts: subscriptions, campaigns drafted by the matcher and approved by people, digests."""
