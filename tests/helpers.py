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


def burst(app: App[Any], text: str) -> None:
    """Queue every key of ``text`` at once, as a barcode scanner does ("\\n" is Enter).

    Unlike ``pilot.press`` this does not wait between keys: all keys are in the
    app's queue before the first is handled.
    """
    driver = app._driver
    assert driver is not None
    for char in text:
        if char == "\n":
            event = events.Key("enter", "\r")
        elif char == "*":
            event = events.Key("asterisk", "*")
        else:
            event = events.Key(char, char)
        event.set_sender(app)
        driver.send_message(event)


def screen_text(app: App[Any]) -> str:
    """Everything the screen shows, as plain text lines (what a cashier sees)."""
    screen = app.screen
    strips = screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
