"""Leftovers seen at the counter: storage texts in English, Chinese line breaks on screen,
ingredient names in English, the pharmacist's name, and F1 listing the register's keys only."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pos import i18n
from pos.app import PosApp
from pos.app.modals.help import HelpModal
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal, PharmacistModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.widgets.guidance_panel import GuidancePanel
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.plain import Static
from printer.layout import NO_LINE_START
from tests.frontend.test_safety_ui import fill, scan
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)


def shown_lines(widget: Static) -> list[str]:
    """The lines a widget shows, as text."""
    return [widget.render_line(y).text.strip() for y in range(widget.size.height)]


async def test_the_english_screen_shows_storage_in_english(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter")
        await pilot.pause()
        assert "阴凉" not in app.screen.query_one(GuidancePanel).text
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, AcknowledgeModal)
        assert "Storage: Keep tightly closed in a cool, dry place." in app.screen.text
        assert "阴凉" not in app.screen.text


async def test_the_chinese_screen_keeps_storage_in_chinese(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    i18n.setup("zh_CN")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter")
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, AcknowledgeModal)
        assert "贮藏：密封，置阴凉干燥处。" in app.screen.text


async def test_the_guidance_prompt_never_starts_a_line_with_a_closing_mark(app: PosApp) -> None:
    runs = ["甲，", "甲乙、", "甲乙丙。", "甲乙丙丁；", "甲乙丙丁戊）", "（甲乙丙丁戊己"]
    text = "".join(runs[i % len(runs)] for i in range(60))
    async with app.run_test(size=(80, 40)) as pilot:
        await app.push_screen(AcknowledgeModal("用药指导", text))
        for width in (80, 81, 100, 117):
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            lines = shown_lines(app.screen.query_one("#prompt-text", Static))
            assert len([line for line in lines if line]) > 3
            assert not [line for line in lines if line and line[0] in NO_LINE_START], width
            assert not [line for line in lines if line and line[-1] == "（"], width
            assert "".join(lines) == text  # nothing lost


async def test_duplicate_ingredients_are_named_in_english_and_the_signer_by_name(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("f9")
        await scan(pilot, barcode_of(demo_sessions, "P00008"))  # also acetaminophen
        shown = app.screen.query_one(MessageBar).text
        assert "acetaminophen, chlorphenamine is in 2 products" in shown
        assert "对乙酰氨基酚" not in shown
        await pilot.press("f9", "f12")
        prompt = app.screen
        assert isinstance(prompt, AcknowledgeModal)
        assert "acetaminophen" in prompt.text and "对乙酰氨基酚" not in prompt.text
        await pilot.press("f9")
        assert isinstance(app.screen, PharmacistModal)
        await fill(pilot, "yaoshi01")
        await type_text(pilot, "1234")
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)
        checkout = app.screen_stack[-2]
        assert "Acknowledged by pharmacist 王药师" in checkout.query_one(MessageBar).text


async def test_f1_lists_only_the_registers_keys_with_keycap_labels(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        text = screen_text(app)
        for label in (
            "Ctrl+K",
            "Shift+F1",
            "Alt+1",
            "Ctrl+U",
            "Ctrl+S",
            "Ctrl+Q",
            "PgUp",
            "F12",
            "Esc",
        ):
            assert label in text, label
        assert "Copy" not in text and "^c" not in text and "alt+1" not in text
        assert "^" not in text and "Focus" not in text
        await pilot.press("f1", "f5", "f1")  # a form's keys: its own Tab, not Textual's
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        text = screen_text(app)
        assert "Tab" in text and "Next" in text and "Focus" not in text and "Copy" not in text
