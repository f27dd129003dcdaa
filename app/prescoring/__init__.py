"""Essay pre-scoring behind the commission's review gate (human-review gate 1): the model registry (``registry``),
the gate's workflow (``service``), the commission's review (``review``) and what each reader sees (``views``).

- A locked essay queues ``essay_prescore`` in the transaction that locks it; the job stores a
  suggestion (a ``member_scores`` row of type ``ml_suggestion`` plus an ``essay_suggestions``
  row) or the reason there is none. Nothing is computed in a request.
- A closed essay stage queues ``essay_models_train``: each essay's final score (the competition's
  aggregate of the counting member scores, rounded half up) trains the topic's model and the
  cross-topic model once there are enough (``essay_prescoring_min_topic_essays``).
- Who sees a suggestion: a voting member in ``blind_first`` mode after their own score, in
  ``assist`` mode at once; the HR service, administrators and the secretary once the stage is
  closed (so no one outside the scoring members can pass it on while scores are given);
  candidates never. With the module switched off nobody sees one and nothing new is stored.
- Flags (``app.rules.essay_review``): a member ``essay_discussion_gap`` (a policy field, 2 by default)
  or more points from the suggestion, or two members that far apart, flag the essay (suggestion
  flags only while the module is on); the chair records the discussion; the essay stage does not
  close while a flag has none (409 ``essay_discussion_required``); a later score that raises a new
  flag needs a new discussion.

The suggestion never counts: totals, pass marks, the protocol and notifications read
``app.selection.service.counting_member_scores``, which takes members' scores only.
"""
