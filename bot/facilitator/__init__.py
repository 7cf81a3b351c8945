"""Facilitators in chat: /facilitator (admins), /interview and /session; the
interview and session rules are in ``conversations``."""
