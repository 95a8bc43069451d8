"""Every built-in chip, however partial its specs, goes through every interface without a crash:
unknown specs give an explicit answer or a clear error, never a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import httpx
import pytest

from chipwatch import api
from chipwatch.capability import infer, train
from chipwatch.capability.hardware import HardwareError
from chipwatch.capability.inference import ConfigError
from chipwatch.scenarios.fleet import FleetError, FleetItem, fleet
from chipwatch.web import create_app

CHIPS = [c.id for c in api.catalog()]
ON = dt.date(2026, 11, 29)
CLEAR_ERRORS = (HardwareError, ConfigError, FleetError)


def test_the_catalog_is_not_empty() -> None:
    assert len(CHIPS) >= 60


@pytest.mark.parametrize("chip", CHIPS)
def test_rules_answer_or_say_what_is_missing(chip: str) -> None:
    for to in ("CN", "AE", "DE"):
        d = api.check(chip, to=to, on=ON).to_dict()
        json.dumps(d)
        assert d["reasons"], (chip, to)
        if d["license_required"] is None:  # undetermined names the missing input
            assert d.get("missing"), (chip, to, d)
    periods = api.timeline(chip, to="CN", start=dt.date(2022, 8, 1), end=ON)
    assert periods and periods[-1].end in (None, ON)


@pytest.mark.parametrize("chip", CHIPS)
def test_capability_answers_or_names_the_missing_spec(chip: str) -> None:
    for run in (
        lambda: infer("llama-3.1-8b", chip=chip, chips=8),
        lambda: train("llama-3.1-8b", chip=chip, chips=8, tokens=1e12),
    ):
        try:
            out = run()
        except CLEAR_ERRORS as e:
            assert str(e) and "Traceback" not in str(e)
            continue
        json.dumps(out, default=float)
    try:
        f = fleet([FleetItem(chip, units=1000)])
    except FleetError as e:
        assert str(e)
    else:
        assert f["units"]["central"] == 1000


def test_every_chip_page_and_api_route_answers() -> None:
    app = create_app()

    async def go() -> list[tuple[str, int, str]]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        out = []
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for chip in CHIPS:
                for url in (f"/chips/{chip}", f"/chips/{chip}?lang=ar", f"/api/chips/{chip}"):
                    r = await client.get(url)
                    out.append((url, r.status_code, r.text))
        return out

    for url, status, text in asyncio.run(go()):
        assert status == 200, (url, text[:300])
        assert "Traceback" not in text, url
