"""`soe audit`: the audit log (who did what, when, with which model and app version), as text or CSV."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from soe_desktop.cli.documents import fail, open_store
from soe_desktop.core.settings import Settings

CSV_COLUMNS = ("id", "at", "os_user", "actor", "action", "document_sha256", "candidate_id", "label_id",
               "old_value", "new_value", "source", "model_version", "app_version", "subject", "details")
SHA256 = re.compile(r"[0-9a-f]{64}")
MIN_PREFIX = 8


def resolve_document(store, given: str) -> str:
    """A document's sha256 from a PDF path, a sha256 (or a prefix of 8+ characters) or a stored filename."""
    from soe_desktop.core.pdf.ingest import sha256_of

    path = Path(given)
    if path.is_file():
        return sha256_of(path)
    text = given.strip().lower()
    if SHA256.fullmatch(text):
        return text
    documents = store.documents()
    matches = {doc["sha256"] for doc in documents if doc["filename"] == given}
    if not matches and len(text) >= MIN_PREFIX:
        matches = {doc["sha256"] for doc in documents if doc["sha256"].startswith(text)}
    if len(matches) == 1:
        return matches.pop()
    if matches:
        fail(f"{given}: {len(matches)} documents match; give the sha256 or the PDF")
    fail(f"{given}: no such file, and no document in the library by that name or sha256")


def _line(entry: dict) -> str:
    change = f"{entry['old_value'] or '–'} -> {entry['new_value'] or '–'}" if entry["old_value"] or entry["new_value"] else ""
    where = " ".join(part for part in (entry["document_sha256"][:12], entry["candidate_id"]) if part)
    model = f" model {entry['model_version']}" if entry["model_version"] else ""
    return (f"{entry['at']}  {entry['os_user'] or '?'}  {entry['action']:<22} {where or entry['subject']}  "
            f"{change}  [{entry['source']}]{model}  v{entry['app_version'] or '?'}").rstrip()


@click.command("audit")
@click.option("--document", "document", metavar="FILE_OR_SHA", help="Only this document (a PDF, its sha256 or its stored name).")
@click.option("--since", metavar="ISO", help="Only entries at or after this UTC date/time, e.g. 2025-01-31 or 2025-01-31T14:00.")
@click.option("--csv", "as_csv", is_flag=True, help="Every column as CSV on stdout.")
@click.pass_obj
def audit_command(settings: Settings, document: str | None, since: str | None, as_csv: bool) -> None:
    """Show the append-only audit log: label decisions, imports, model activations, consents, exports."""
    store = open_store(settings)
    try:
        sha256 = resolve_document(store, document) if document else None
        try:
            entries = store.audit_entries(document=sha256, since=since)
        except ValueError as error:
            fail(str(error))
    finally:
        store.close()
    if as_csv:
        from soe_desktop.core.store.safe_text import SafeDictWriter  # subjects and details hold PDF text

        writer = SafeDictWriter(sys.stdout, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({**entry, "label_id": "" if entry["label_id"] is None else entry["label_id"],
                          "details": _details(entry)} for entry in entries)
        return
    for entry in entries:
        click.echo(_line(entry))
    if not entries:
        click.echo("no audit entries" + (" for that document" if document else "") + (f" since {since}" if since else ""),
                   err=True)


def _details(entry: dict) -> str:
    from soe_desktop.core.store.rows import dumps

    return dumps(entry["details"])


COMMANDS = [audit_command]
