"""A coordinator's digest: ``analysis`` (the numbers, suppressed), then ``text``,
``charts``, ``workbook`` and ``opensdg`` render them; ``build`` puts them together."""
