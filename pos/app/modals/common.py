"""What every screen shares: bindings shown in the current language."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap
from textual.dom import DOMNode

from pos.i18n import N_, _

# Descriptions of Textual's own bindings, so that they are translated too.
TEXTUAL_DESCRIPTIONS = (
    N_("Quit"),
    N_("palette"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Copy selected text"),
)


def localize_bindings(node: DOMNode) -> None:
    """Translate the binding descriptions of ``node`` (written with ``N_``)."""
    node._bindings = BindingsMap.from_keys(
        {
            key: [
                replace(binding, description=_(binding.description) if binding.description else "")
                for binding in bindings
            ]
            for key, bindings in node._bindings.key_to_bindings.items()
        }
    )


def describe_binding(node: DOMNode, binding_id: str, description: str) -> None:
    """Give the binding ``binding_id`` of ``node`` the words ``description`` (call it before
    :func:`localize_bindings`, which translates them)."""
    node._bindings = BindingsMap.from_keys(
        {
            key: [
                replace(binding, description=description) if binding.id == binding_id else binding
                for binding in bindings
            ]
            for key, bindings in node._bindings.key_to_bindings.items()
        }
    )
