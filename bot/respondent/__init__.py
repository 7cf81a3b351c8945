"""Respondents' handlers (/start, the survey's buttons and typed answers, /mydata,
/delete, /results) and the guardian's consent link; the rules are in ``conversations``."""
