"""Media objects (PhotoSize, Document, Voice, Sticker...) built from stored files."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from .model import StoredFile

MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "animation", "sticker")
DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
    "document": "application/octet-stream",
}


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG image; ``(0, 0)`` if unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return width, height
            pos += 2 + length
    return 0, 0


def tiny_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (46, 125, 50)) -> bytes:
    """A valid solid-colour PNG, used when a simulated user sends a photo without bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def media_fields(stored: StoredFile, duration: int = 0) -> dict[str, Any]:
    """The Message fields describing ``stored`` (e.g. ``{"photo": [PhotoSize]}``)."""
    base: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    kind = stored.kind
    if kind == "photo":
        return {"photo": [{**base, "width": stored.width, "height": stored.height}]}
    if kind == "sticker":
        sticker = {
            **base,
            "type": "regular",
            "width": stored.width or 512,
            "height": stored.height or 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\U0001f44d",
        }
        return {"sticker": sticker}
    if stored.mime_type:
        base["mime_type"] = stored.mime_type
    if kind in ("voice", "audio"):
        return {kind: {**base, "duration": duration}}
    if kind in ("video", "animation"):
        return {
            kind: {**base, "width": stored.width, "height": stored.height, "duration": duration}
        }
    if stored.file_name:
        base["file_name"] = stored.file_name
    return {"document": base}
