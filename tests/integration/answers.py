"""Valid answers to the seed programmes' forms, for tests that submit them.

ANSWERS maps each form id of conf/programmes/forms/*.conf to a fields object
that fills every required field (and a few optional ones) with values of the
right type: the Norfolk Talent Pool's self_evaluation, evidence_form and
leadership_plan; Kent's predisposition_audit and placement_choice; the
Norfolk LLE's application_form. Tests pass them as `"fields": ANSWERS[doc]`.
"""

ANSWERS = {
    "self_evaluation": {
        "current_role": "Year 6 teacher and English subject leader",
        "phase": "Primary",
        "aspiration": "Senior leadership (assistant or deputy headteacher)",
        "discussed_with_headteacher": True,
        "shaping_the_future": 3,
        "shaping_the_future_evidence": "Wrote the school's three-year plan for writing with "
                                       "the English team; every class now follows it.",
        "leading_learning": 3,
        "leading_learning_evidence": "Led lesson study in upper key stage 2; combined "
                                     "reading and writing at greater depth rose from 14% to 22%.",
        "working_with_others": 4,
        "managing_the_organisation": 2,
        "securing_accountability": 2,
        "strengthening_community": 3,
        "development_areas": "Managing budgets and reporting to governors.",
    },
    "evidence_form": {
        "met_candidate": True,
        "evidence": "Has led English across the school for two years: a new writing scheme, "
                    "coaching for two early-career teachers, and a clear rise in writing "
                    "outcomes. Her self-evaluation is honest; her strongest area is working "
                    "with others, her weakest managing the organisation.",
        "ready_for": "Senior leadership (assistant or deputy headteacher)",
        "succession_priorities": ["Developing middle leader potential"],
        "school_support": "Release for every session and the three-day internship, covered "
                          "by our HLTA.",
    },
    "leadership_plan": {
        "development_needs": "The 360 and the needs analysis agree: data analysis and "
                             "working with governors.",
        "actions": "Shadow the deputy head's pupil-progress meetings this term (with the "
                   "deputy, by February); present the English report to the standards "
                   "committee in March (with the head); attend the career planning event.",
        "action_research": "Does whole-class feedback improve boys' writing in Year 5?",
        "career_goal": "Assistant headteacher within two years",
        "review_date": "2027-03-15",
        "plan_document": "https://docs.example.org/plans/leadership-plan",
    },
    "predisposition_audit": {
        "programme": "Middle leaders programme",
        "problem_solving": 3,
        "problem_solving_evidence": "Redesigned the KS3 science assessment calendar and saw "
                                    "it through a full year.",
        "communication": 4,
        "self_control": 2,
        "internship_focus": ["Feelings and self control",
                             "Problem solving and implementing change"],
        "gaps": "Staying calm in difficult conversations with parents; planning change "
                "further ahead.",
    },
    "placement_choice": {
        "first_choice": "Highsted Grammar School",
        "second_choice": "Fulston Manor School",
        "phase": "Secondary",
        "reasons": "A strong model of distributed middle leadership in science.",
        "available_from": "2027-06-07",
        "available_until": "2027-07-09",
    },
    "application_form": {
        "phase": "Primary",
        "headship_since": "2019-09-01",
        "ofsted_date": "2024-03-12",
        "ofsted_leadership": "Good",
        "coaching": "Five years as a coach on the county's new-heads programme; supported a "
                    "partner school out of special measures in 2022 through fortnightly "
                    "coaching of its headteacher and joint lesson observations.",
        "good_practice": "Early reading and phonics; inclusion of pupils with SEND in "
                         "mainstream classes.",
    },
}
