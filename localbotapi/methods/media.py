"""sendPhoto/sendDocument/... (multipart uploads, file_id reuse, URLs), sendMediaGroup, getFile."""

from __future__ import annotations

from typing import Any

import aiohttp

from ..errors import ApiError, bad_request
from ..markup import parse_markup
from ..media import DEFAULT_MIME, image_size, media_fields
from ..model import StoredFile
from ..params import Params, Upload
from ..state import BotState
from .messages import MAX_CAPTION, apply_chat_markup, message_text, reply_target
from .registry import ApiContext, api_method

MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
WRONG_FILE = "wrong file identifier/HTTP URL specified"


async def resolve_file(state: BotState, p: Params, value: Any, field: str, kind: str) -> StoredFile:
    """An uploaded part, ``attach://name``, an existing file_id or an HTTP URL."""
    upload: Upload | None = None
    if field in p.uploads and value in (None, ""):
        upload = p.uploads[field]
    elif isinstance(value, str) and value.startswith("attach://"):
        upload = p.uploads.get(value[len("attach://") :])
        if upload is None:
            raise bad_request("wrong HTTP URL specified")
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        return await _download(state, value, kind)
    elif isinstance(value, str) and value:
        existing = state.files.get(value)
        if existing is None:
            raise bad_request(WRONG_FILE)
        return existing
    if upload is None:
        raise bad_request(f'parameter "{field}" is required')
    if len(upload.data) > MAX_UPLOAD:
        raise ApiError(413, "Request Entity Too Large")
    return store_bytes(state, upload.data, kind, "bot", upload.filename, upload.content_type)


def store_bytes(
    state: BotState,
    data: bytes,
    kind: str,
    uploaded_by: str,
    file_name: str | None,
    content_type: str | None,
) -> StoredFile:
    mime = content_type if content_type and content_type != "application/octet-stream" else None
    width, height = image_size(data) if kind in ("photo", "sticker") else (0, 0)
    return state.add_file(
        data,
        kind,
        "bot" if uploaded_by == "bot" else "user",
        file_name=file_name if kind in ("document", "audio", "video", "animation") else None,
        mime_type=mime or (DEFAULT_MIME.get(kind) if kind != "document" else None),
        width=width,
        height=height,
    )


async def _download(state: BotState, url: str, kind: str) -> StoredFile:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as response,
        ):
            if response.status != 200:
                raise bad_request(WRONG_FILE)
            data = await response.read()
            name = url.rsplit("/", 1)[-1] or None
            return store_bytes(state, data, kind, "bot", name, response.content_type)
    except (aiohttp.ClientError, TimeoutError):
        raise bad_request(WRONG_FILE) from None


async def _send_media(ctx: ApiContext, p: Params, kind: str) -> dict[str, Any]:
    chat = ctx.state.writable_chat(p.chat_id())
    stored = await resolve_file(ctx.state, p, p.raw(kind), kind, kind)
    caption, entities = message_text(p, "caption", MAX_CAPTION)
    markup = parse_markup(p.json("reply_markup"))
    message = ctx.state.add_message(
        chat,
        "bot",
        media=media_fields(stored, p.int("duration", 0) or 0),
        caption=caption or None,
        caption_entities=entities,
        reply_markup=markup.inline,
        reply_to=reply_target(ctx.state, chat, p),
    )
    apply_chat_markup(chat, markup)
    return message.to_api()


def _media_sender(kind: str):
    async def send(ctx: ApiContext, p: Params) -> dict[str, Any]:
        return await _send_media(ctx, p, kind)

    return send


for _kind in ("photo", "document", "voice", "audio", "video", "animation", "sticker"):
    api_method("send" + _kind.capitalize())(_media_sender(_kind))


@api_method("sendMediaGroup")
async def send_media_group(ctx: ApiContext, p: Params) -> list[dict[str, Any]]:
    chat = ctx.state.writable_chat(p.chat_id())
    items = p.json("media")
    if not isinstance(items, list) or not 2 <= len(items) <= 10:
        raise bad_request("wrong number of media in the media group, expected 2-10")
    group_id = ctx.state.next_media_group_id()
    reply_to = reply_target(ctx.state, chat, p)
    prepared = []
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ("photo", "video", "document", "audio"):
            raise bad_request("wrong type of the media in the media group")
        if not item.get("media"):  # Telegram never falls back to a part named "media"
            raise bad_request("wrong file identifier/HTTP URL specified")
        stored = await resolve_file(ctx.state, p, item.get("media"), "media", kind)
        sub = Params({k: v for k, v in item.items() if k != "media"})
        caption, entities = message_text(sub, "caption", MAX_CAPTION)
        prepared.append((stored, caption, entities))
    messages = [
        ctx.state.add_message(
            chat,
            "bot",
            media=media_fields(stored),
            caption=caption or None,
            caption_entities=entities,
            media_group_id=group_id,
            reply_to=reply_to,
        ).to_api()
        for stored, caption, entities in prepared
    ]
    return messages


@api_method("getFile")
async def get_file(ctx: ApiContext, p: Params) -> dict[str, Any]:
    stored = ctx.state.file(p.require_str("file_id"))
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.get_file()
