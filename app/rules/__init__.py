"""The deterministic core: the selection rules as pure functions over plain values and a ``SelectionPolicy``.

Where each section of ``shared/domain/selection-rules.md`` (the digest of the seeds) lives:

====  ==========================================  ==================  =========================================
§     section of the digest                       module              functions (data)
====  ==========================================  ==================  =========================================
all   every threshold, count, duration, weight    policy              SelectionPolicy, policy_from_overrides,
                                                                      policy_fields
1     registration: the IIN (ЖСН)                 iin                 parse_iin, is_valid_iin, age_on, age_band
2     legislation and state-language tests        legislation         score_legislation, legislation_marks_met,
                                                                      score_legislation_sheets,
                                                                      state_language_passed
2     booking ahead, certificate validity         calendar            earliest_booking_date,
                                                                      certificate_valid_until, certificate_is_valid
2-5   each test's competition stage               programmes          competition_stage (COMPETITION_STAGE)
3     qualification check                         qualification       check_qualification, highest_level
3,6,7 categories and the stages of each           categories          parse_category, is_managerial, stage_plan
4     personal qualities                          personal_qualities  score_personal_qualities,
                                                                      personal_qualities_percent,
                                                                      per_quality_percents
5     text and numeric reasoning                  reasoning           reasoning_score, reasoning_places,
                                                                      advance_by_reasoning
6,7,8 members' scores: essay, practical,          member_scores       aggregate_member_scores, essay_passed,
      interview; quorum; essay word limit                             practical_passed, scoring_quorum_reached,
                                                                      count_essay_words, essay_within_word_limit
6,12  review of the essay pre-score (flags)       essay_review        essay_flags (policy.essay_discussion_gap)
8     interview shortlist                         interview           shortlist_for_interview
5,8,9 who goes on, totals, final ranking,         ranking             take_best_with_ties, candidate_total,
      tie-breaks                                                      rank_final, top_n, single_winner
9     working days, appointment deadlines         calendar            working_day_deadline, appointment_deadlines,
                                                                      is_working_day
10    proctoring (with the exemption of §5)       proctoring          behaviour_flagged (FORBIDDEN_BEHAVIOURS,
                                                                      ALLOWED_IN_REASONING)
2-10  one whole competition, stage by stage       competition         run_competition, outcome_to_json
—     the replay format (design/replay-format)    replay              replay, parse_replay_input,
                                                                      replay_input_schema
====  ==========================================  ==================  =========================================

Nothing here imports the rest of ``app`` (an import-linter contract in ``pyproject.toml``).
"""
