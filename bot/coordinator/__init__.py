"""Coordinators in chat: /digest, /export, /coordinator, and the scheduled digests
(``delivery``); every number comes from ``reporting``."""
