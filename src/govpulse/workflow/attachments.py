"""Files attached to an action-taken report: photos of the repaired pump, the signed inspection note.

Files are stored under the home folder by content hash (``attachments/ab/abcdef...``), so the same photo sent
twice is stored once and a stored file can be checked against its row. Only a few kinds are accepted, and the
bytes must look like what the declared type says (a "PDF" that is really HTML is refused), because these
files are served back to other officers' browsers. Size is limited by the ``attachment_max_bytes`` setting.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from govpulse.catalog.models import Attachment
from govpulse.catalog.repositories.actions import ActionRepository
from govpulse.core.access import CLOSE_ACTION
from govpulse.core.scope import Scope
from govpulse.workflow.actions import Status
from govpulse.workflow.context import InvalidRequest, WorkflowContext
from govpulse.workflow.lifecycle import record_event, visible_action

__all__ = ["ALLOWED_TYPES", "AttachmentTooLarge", "store_attachment", "attachment_path"]

CHUNK = 64 * 1024
_ZIP = (b"PK\x03\x04",)
# Declared content type -> the signatures its bytes may start with (None: text that must be UTF-8).
ALLOWED_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "text/plain": None,
    "text/csv": None,
}


class AttachmentTooLarge(ValueError):
    """A file over the size limit (answered 413)."""


def attachment_path(home: Path, relative: str) -> Path:
    return home / relative


def store_attachment(ctx: WorkflowContext, scope: Scope, action_id: int, *, file_name: str, content_type: str,
                     stream: BinaryIO, max_bytes: int, viewer_id: int | None = None) -> Attachment:
    """Keep ``stream`` as an attachment of the action (needs ``close-action``; not on a closed action)."""
    action = visible_action(ctx, scope, action_id, viewer_id, CLOSE_ACTION)
    if action.status == Status.CLOSED.value:
        raise InvalidRequest("the action is closed: reopen it to add files")
    if ctx.home is None:
        raise InvalidRequest("this installation has no home folder to keep files in")
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in ALLOWED_TYPES:
        raise InvalidRequest(f"files of type {declared or 'unknown'!r} are not accepted; accepted: "
                             f"{', '.join(ALLOWED_TYPES)}")
    digest, size, relative = _save(ctx.home, stream, max_bytes, declared)
    row = Attachment(action_id=action.id, file_name=_clean_name(file_name), content_type=declared, size=size,
                     sha256=digest, path=relative, uploaded_by=ctx.actor, uploaded_at=ctx.now())
    ActionRepository(ctx.session).add(row)
    status = Status.parse(action.status)
    record_event(ctx, action, "attachment", status, status, note=f"attached {row.file_name} ({size} bytes)",
                 detail={"attachment": row.id, "sha256": digest})
    return row


def _save(home: Path, stream: BinaryIO, max_bytes: int, declared: str) -> tuple[str, int, str]:
    """Copy ``stream`` to a temporary file while hashing and counting; refuse it past ``max_bytes`` or when its
    first bytes do not match ``declared``; then move it to its content-addressed place."""
    folder = home / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentTooLarge(f"the file is larger than the limit of {max_bytes} bytes")
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidRequest("the file is empty")
        _check_kind(declared, head)
        name = digest.hexdigest()
        relative = f"attachments/{name[:2]}/{name}"
        target = home / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return name, size, relative
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _check_kind(declared: str, head: bytes) -> None:
    signatures = ALLOWED_TYPES[declared]
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # a character cut at the 512-byte edge is fine
                raise InvalidRequest(f"a {declared} file must be UTF-8 text") from None
        if b"<" in head and re.search(rb"<\s*(html|script|svg)", head, re.I):
            raise InvalidRequest(f"a {declared} file may not contain HTML or script")
        return
    if not any(head.startswith(signature) for signature in signatures):
        raise InvalidRequest(f"the file's content is not {declared}")


def _clean_name(name: str) -> str:
    """The file's own name without folders or control characters (it is shown and sent as a download name)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip() or "file"
    return base[:255]
