"""``scorecard-bot``: the command line. ``main.COMMANDS`` lists every sub-command;
each module here holds one group of them (``common`` what they share).

May import: everything below it (``bot``, ``reporting``, ``survey``, ``storage``,
``localbotapi`` for the playground).
"""
