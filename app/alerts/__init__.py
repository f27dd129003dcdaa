"""Vacancy alerts (бос лауазымдар туралы хабарландыру): subscriptions (``subscriptions``), campaigns the matcher
drafts and a person approves (``campaigns``, ``standing_rules``), and sending through the notifications outbox
(``delivery``).

The matcher only drafts: a campaign waits as ``draft`` until an HR officer of the vacancies'
body approves it, or a standing rule that an officer set approves it (the rule and its author
are recorded on the campaign). Sending re-checks everything at that moment: the subscription
is still active, the ``vacancy_alerts`` consent is still given (withdrawn: skipped and
recorded), the vacancy is still published, and it was never delivered to that subscription
before (the unique (subscription, vacancy) row in ``alert_deliveries``). Immediate
subscribers get one message per campaign; daily and weekly ones get one digest per period,
built by the ``alerts.send_digests`` job.
"""
