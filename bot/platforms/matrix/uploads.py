"""Matrix uploads: a staff member's chart or export goes to the homeserver's media repository (encrypted
first in an encrypted room: the server keeps only ciphertext) and becomes an m.image or m.file event
with the reply as its caption. Never posts the event itself: notifier.py sends it.
"""

from __future__ import annotations

import asyncio
import io
import struct
from typing import Any

from nio import AsyncClient, UploadResponse

from ...alerts import Message
from ...notify import Transient
from .connection import fail

UPLOAD_TIMEOUT = 60.0  # a chart or an export to the media repository (nio itself waits forever)
MIMETYPES = {".png": "image/png", ".csv": "text/csv", ".json": "application/json"}


def _mimetype(filename: str) -> str:
    return next((m for suffix, m in MIMETYPES.items() if filename.endswith(suffix)), "application/octet-stream")


def _png_size(data: bytes) -> dict[str, int]:
    """Width and height from a PNG's IHDR chunk (Element lays the image out before downloading it)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return {}
    w, h = struct.unpack(">II", data[16:24])
    return {"w": w, "h": h}


def _file_content(message: Message, filename: str, mimetype: str, size: int, image: dict[str, int] | None,
                  uri: str, keys: dict[str, Any] | None) -> dict[str, Any]:
    """An m.image / m.file event: the caption as body, the name in filename (Matrix 1.10 captions);
    in an encrypted room the media's decryption info under `file` instead of a plain `url`."""
    info: dict[str, Any] = {"mimetype": mimetype, "size": size, **(image or {})}
    content: dict[str, Any] = {
        "msgtype": "m.image" if image is not None else "m.file",
        "body": message.text, "filename": filename, "info": info, "m.mentions": {},
    }
    if keys is not None:
        content["file"] = {**keys, "url": uri}
    else:
        content["url"] = uri
    return content


async def file_event(client: AsyncClient, room_id: str, message: Message, data: bytes, filename: str,
                     image: bool) -> dict[str, Any]:
    """Upload data for room_id (encrypted if the room is) and the event content that posts it."""
    room = client.rooms.get(room_id)
    encrypt = bool(client.olm and room is not None and room.encrypted)  # as room_send decides
    mimetype = _mimetype(filename)
    try:
        resp, keys = await asyncio.wait_for(
            client.upload(io.BytesIO(data), content_type=mimetype, filename=filename, encrypt=encrypt,
                          filesize=len(data)),
            timeout=UPLOAD_TIMEOUT,
        )
    except TimeoutError as exc:
        raise Transient("Matrix upload timed out") from exc
    except Exception as exc:  # aiohttp connection errors
        raise Transient(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(resp, UploadResponse):
        fail(resp)
    return _file_content(message, filename, mimetype, len(data), _png_size(data) if image else None,
                         resp.content_uri, keys if encrypt else None)
