"""UI strings: the gettext catalogs (``*/LC_MESSAGES/messages.po``), the translator
that compiles them in memory (``i18n``), and message length limits as Telegram
counts them (``textlimits``). Survey content is not here: it is in the survey file.

May import: nothing of the project.
"""
