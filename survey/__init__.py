"""The survey as data: the pydantic model of a survey file (``model``), skip logic
(``relevance``), the steps a respondent goes through, derived from stored answers
(``steps``), XLSForm export and import, the TOML writer, ``survey check``, the
shipped survey files (``files``) and paper forms (``paper``).

May import: ``storage``, ``locales``. Never ``telegram``, ``bot``, ``cli``,
``conversations`` or ``reporting``.
"""
