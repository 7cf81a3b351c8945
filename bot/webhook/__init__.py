"""Webhook mode (``scorecard-bot serve``): several worker processes behind one URL.

``cluster`` holds what one worker does with the others through the database
(the inbox, the person leases, the leader); ``asgi`` is the HTTP face
Telegram posts to; ``jobs`` makes the scheduled jobs run on the leader only.
"""
