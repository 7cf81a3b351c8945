"""The Telegram face of the bot: everything that knows python-telegram-bot.

* ``app`` builds the ``Application``; ``routes`` lists every handler and its
  group, and every job; ``guards`` is the front guard and the error handler;
  ``presenters`` shows screens (edit or send, answer presses).
* ``respondent``, ``coordinator``, ``admin`` and ``facilitator`` hold the thin
  handlers of each audience: read the update, call the engine or reporting,
  show the result.
* ``config`` is the one typed configuration (pydantic-settings).

May import: ``conversations``, ``reporting``, ``survey``, ``storage``,
``locales`` and python-telegram-bot. Never ``cli`` (``bot.__main__`` only
forwards ``python -m bot`` to it).
"""
