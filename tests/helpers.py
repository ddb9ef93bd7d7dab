"""Small helpers shared by tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual import events
from textual.app import App
from textual.pilot import Pilot

from pos.models import Barcode, Product


def barcode_of(sessions: sessionmaker[Session], sku: str) -> str:
    """The first barcode of the product with ``sku``."""
    with sessions() as session:
        code = session.scalar(
            select(Barcode.code)
            .join(Product)
            .where(Product.sku == sku)
            .order_by(Barcode.position)
            .limit(1)
        )
    assert code is not None, sku
    return code


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key, as a person would."""
    await pilot.press(*text)


def burst(app: App[Any], text: str, *keys: str) -> None:
    """Queue every key of ``text`` at once, as a barcode scanner does ("\\n" is Enter).

    Unlike ``pilot.press`` this does not wait between keys: all keys are in the
    app's queue before the first is handled. Named ``keys`` (``"f12"``) follow.
    """
    driver = app._driver
    assert driver is not None
    events_to_send: list[events.Key] = []
    for char in text:
        if char == "\n":
            events_to_send.append(events.Key("enter", "\r"))
        elif char == "*":
            events_to_send.append(events.Key("asterisk", "*"))
        else:
            events_to_send.append(events.Key(char, char))
    events_to_send.extend(events.Key(key, None) for key in keys)
    for event in events_to_send:
        event.set_sender(app)
        driver.send_message(event)


def keys(app: App[Any], *sequence: str) -> None:
    """Queue a mixed sequence at once: single characters, or key names like ``f12``."""
    for item in sequence:
        if len(item) == 1 or item == "\n":
            burst(app, item)
        else:
            burst(app, "", item)


def screen_text(app: App[Any]) -> str:
    """Everything the screen shows, as plain text lines (what a cashier sees)."""
    screen = app.screen
    strips = screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
