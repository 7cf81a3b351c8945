"""The digest album as Telegram receives it: one multipart part per chart."""

from __future__ import annotations

import json

from tests.auxil.harness import Harness, Person
from tests.digest.conftest import ADMIN, FilesTelegram

PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_album_uploads_each_chart_once(digest_harness: Harness) -> None:
    await digest_harness.text(Person(ADMIN, "en"), "/digest")
    telegram = digest_harness.telegram
    assert isinstance(telegram, FilesTelegram)
    [params] = [c.params for c in telegram.calls if c.method == "sendMediaGroup"]
    [parts] = [parts for method, parts in telegram.uploads if method == "sendMediaGroup"]
    media = params["media"] if isinstance(params["media"], list) else json.loads(params["media"])
    assert len(media) == 2  # the goals chart and the heat map
    # Each photo names its own part ("attach://<field>"), and that part is there: a
    # photo without "media" would make Telegram reuse (or refuse) one upload for both.
    fields = [str(item.get("media", "")).removeprefix("attach://") for item in media]
    assert all(fields) and len(set(fields)) == 2, media
    assert set(fields) == set(parts)
    charts = [parts[field][1] for field in fields]
    assert all(chart.startswith(PNG) for chart in charts)
    assert charts[0] != charts[1]  # two different pictures, not one sent twice
    assert [parts[field][0] for field in fields] == ["chart1.png", "chart2.png"]
