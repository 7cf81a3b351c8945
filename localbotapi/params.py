"""Reading Bot API parameters from query strings, JSON, urlencoded and multipart bodies.

Telegram accepts every parameter either natively typed (JSON body) or as a string
(query / form), where structured values are JSON-encoded.  :class:`Params` hides that.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


class Params:
    """Typed access to request parameters with Telegram-like error messages."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.uploads

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, name: str) -> str:
        value = self.str(name)
        if value is None or value == "":
            raise bad_request(f'parameter "{name}" is required')
        return value

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f'field "{name}" must be an Integer') from None

    def require_int(self, name: str, missing: str | None = None) -> int:
        value = self.int(name)
        if value is None:
            raise bad_request(missing or f'parameter "{name}" is required')
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def loggable(self) -> dict[str, Any]:
        """Parameters for the call log: structured values decoded, files summarised."""
        logged: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            logged[key] = value
        for key, upload in self.uploads.items():
            logged[key] = {"upload": upload.filename, "size": len(upload.data)}
        return logged


async def read_params(request: web.Request) -> Params:
    """Merge query string and body parameters of a Bot API request."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            values.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = await part.read()
                    ptype = part.headers.get("Content-Type", "application/octet-stream")
                    uploads[part.name] = Upload(part.name, part.filename, ptype, bytes(data))
                else:
                    values[part.name] = await part.text()
        else:
            form = await request.post()
            values.update({k: v for k, v in form.items() if isinstance(v, str)})
    return Params(values, uploads)
