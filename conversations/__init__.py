"""The dialogue rules, as an engine that knows no Telegram.

``journey`` (a respondent's survey: apply an input to stored answers, decide
the next screen), ``sessions`` (group scorecards), ``interviews``,
``guardian`` (children's consent), ``screens`` (what each screen says and
which buttons it has, as ``keyboard.Button`` rows), ``callbacks`` (the
callback-data codec), ``mydata``, ``voice``, ``invitations`` and
``services`` (what the engine needs from outside).

May import: ``survey``, ``storage``, ``locales``. Never ``telegram``,
``bot``, ``cli`` or ``reporting`` (checked by import-linter).
"""
