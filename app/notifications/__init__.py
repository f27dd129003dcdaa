"""Notifications (хабарламалар): in-app messages and the e-mail outbox that a queue job sends over SMTP."""
