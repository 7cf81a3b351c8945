"""``scorecard-bot publish``: the static, bilingual results site (``reporting.site.build``)."""
