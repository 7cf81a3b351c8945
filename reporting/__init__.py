"""Every number that leaves the database: analysis, disclosure control
(``suppression``, ``anonymise``), digests (text, charts, workbook, Open SDG),
/results and printed posters. Heavy work (pandas, matplotlib) runs here, off the
event loop (callers use ``asyncio.to_thread``).

May import: ``survey``, ``storage``, ``locales``. Never ``telegram``, ``bot``,
``cli`` or ``conversations``.
"""
