"""The staff menu: each area's page module adds its links here, for the roles that may follow them.

A link's label is an English msgid (marked with ``_`` so the catalogue check finds it); the menu in
``base.html`` and the staff home page (``/work``) translate it for the visitor.
"""

from __future__ import annotations

from dataclasses import dataclass


def _(message: str) -> str:
    """Mark a msgid for the catalogues; it is translated where the menu is rendered."""
    return message


@dataclass(frozen=True)
class NavLink:
    path: str
    label: str
    roles: tuple[str, ...]
    order: int = 50
    description: str = ""


STAFF_LINKS: list[NavLink] = []


def staff_link(path: str, label: str, *roles: str, order: int = 50, description: str = "") -> None:
    """Add ``path`` to the menu of ``roles`` (once: a module imported twice adds nothing)."""
    link = NavLink(path=path, label=label, roles=roles, order=order, description=description)
    if link not in STAFF_LINKS:
        STAFF_LINKS.append(link)


def links_for(role: str | None) -> list[NavLink]:
    """The menu of ``role``, in order; a candidate's menu is the template's own."""
    return sorted((link for link in STAFF_LINKS if role in link.roles), key=lambda link: (link.order, link.path))


WORK_HOME = "/work"
HOME_LABEL = _("My work")
