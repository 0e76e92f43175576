"""The one way a library document is named to people: the queue, the window title, the dashboard,
the promotion gate's table and the exports all use `display_name`, so a document is called the
same everywhere.

A file name alone does not tell "protocol.pdf" from "protocol.pdf"; the protocol number its first
pages print does (core/pdf/protocol_identity.py), and the folder it came from and its title are
there on hover (`name_details`). Every part is plain text.
"""

from __future__ import annotations

from pathlib import PurePath

SEPARATOR = " — "
SHORT_TITLE = 48  # when only a title tells documents apart, this much of it follows the name


def display_name(filename: str, number: str = "", title: str = "") -> str:
    """'protocol.pdf — MS200095-0022'; the title's start when no number is printed; the file name
    alone when neither is known or the name already holds the number."""
    name = filename or "(unnamed)"
    if number:
        return name if number.lower() in name.lower() else f"{name}{SEPARATOR}{number}"
    if title:
        short = title if len(title) <= SHORT_TITLE else title[: SHORT_TITLE - 1].rstrip() + "…"
        return f"{name}{SEPARATOR}{short}"
    return name


def document_name(document: dict) -> str:
    """`display_name` of a store document row (Store.document / Store.documents)."""
    filename = document.get("filename") or PurePath(document.get("original_path") or "").name \
        or str(document.get("sha256", ""))[:12]
    return display_name(filename, document.get("protocol_number") or "", document.get("title") or "")


def name_details(folder: str = "", number: str = "", title: str = "") -> str:
    """What the hover shows: the folder the file came from, its protocol number and title (lines of plain text)."""
    lines = [f"Folder: {folder}" if folder else "", f"Protocol: {number}" if number else "",
             f"Title: {title}" if title else ""]
    return "\n".join(line for line in lines if line)


def document_details(document: dict) -> str:
    """`name_details` of a store document row."""
    original = document.get("original_path") or ""
    return name_details(str(PurePath(original).parent) if original else "", document.get("protocol_number") or "",
                        document.get("title") or "")
