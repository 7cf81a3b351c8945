"""Admins in chat: invitations, broadcasts, reminders, the audit log, and the jobs
that keep the data safe (backups, the retention purge)."""
