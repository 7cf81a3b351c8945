"""The JSON control API under ``/_control``: drive simulated users, inspect, inject faults."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import simulation
from .faults import FaultRule
from .model import SimUser
from .state import BotState

STATE_KEY: web.AppKey[BotState] = web.AppKey("localbotapi_state", BotState)
routes = web.RouteTableDef()


def _state(request: web.Request) -> BotState:
    return request.app[STATE_KEY]


def _user(request: web.Request) -> SimUser:
    try:
        return _state(request).users[int(request.match_info["user_id"])]
    except (KeyError, ValueError):
        raise web.HTTPNotFound(
            text='{"error": "no such user"}', content_type="application/json"
        ) from None


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text='{"error": "JSON object expected"}', content_type="application/json"
        )
    return body


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


@routes.get("/_control/state")
async def get_state(request: web.Request) -> web.Response:
    state = _state(request)
    hook = state.webhook
    return web.json_response(
        {
            "bot": state.bot.get_me(),
            "users": [u.control_view() for u in state.users.values()],
            "pending_updates": len(state.updates.pending),
            "webhook": {"url": hook.url, "delivered": hook.delivered} if hook else None,
            "callback_query_ttl": state.callback_ttl,
            "version": state.signal.version,
        }
    )


@routes.get("/_control/changes")
async def wait_changes(request: web.Request) -> web.Response:
    """Long poll: returns once the state version exceeds ``since`` (or after ``timeout``)."""
    state = _state(request)
    since = int(request.query.get("since", "-1"))
    timeout = min(float(request.query.get("timeout", "25")), 60.0)
    version = await state.signal.wait_past(since, timeout)
    return web.json_response({"version": version})


@routes.post("/_control/users")
async def create_user(request: web.Request) -> web.Response:
    body = await _body(request)
    user = _state(request).add_user(
        user_id=int(body["id"]) if body.get("id") is not None else None,
        first_name=str(body.get("first_name") or "Test User"),
        username=body.get("username"),
        last_name=body.get("last_name"),
        language_code=body.get("language_code", "vi"),
    )
    return web.json_response(user.control_view())


@routes.get("/_control/users")
async def list_users(request: web.Request) -> web.Response:
    return web.json_response([u.control_view() for u in _state(request).users.values()])


@routes.post("/_control/users/{user_id}/settings")
async def update_user(request: web.Request) -> web.Response:
    user = _user(request)
    body = await _body(request)
    for key in ("first_name", "last_name", "username", "language_code"):
        if key in body:
            setattr(user, key, body[key])
    _state(request).touch()
    return web.json_response(user.control_view())


@routes.post("/_control/users/{user_id}/messages")
async def user_sends(request: web.Request) -> web.Response:
    user = _user(request)
    try:
        message, update = simulation.send_message(_state(request), user, await _body(request))
    except simulation.SimulationError as exc:
        return _error(str(exc))
    return web.json_response({"message": message.control_view(), "update_id": update.update_id})


@routes.post("/_control/users/{user_id}/press")
async def user_presses(request: web.Request) -> web.Response:
    user = _user(request)
    body = await _body(request)
    message_id = body.get("message_id")
    try:
        result = simulation.press(
            _state(request),
            user,
            str(body.get("button", "")),
            int(message_id) if message_id else None,
        )
    except simulation.SimulationError as exc:
        return _error(str(exc))
    return web.json_response(result)


@routes.post("/_control/users/{user_id}/block")
async def user_blocks(request: web.Request) -> web.Response:
    update = simulation.set_blocked(_state(request), _user(request), True)
    return web.json_response({"update_id": update.update_id if update else None})


@routes.post("/_control/users/{user_id}/unblock")
async def user_unblocks(request: web.Request) -> web.Response:
    update = simulation.set_blocked(_state(request), _user(request), False)
    return web.json_response({"update_id": update.update_id if update else None})


@routes.get("/_control/users/{user_id}/chat")
async def user_chat(request: web.Request) -> web.Response:
    user = _user(request)
    state = _state(request)
    chat = state.chat(user.id)
    messages = sorted(chat.messages.values(), key=lambda m: m.message_id)
    return web.json_response(
        {
            "user": user.control_view(),
            "messages": [m.control_view() for m in messages],
            "reply_keyboard": chat.reply_keyboard,
            "chat_action": chat.current_action(),
            "version": state.signal.version,
        }
    )


@routes.get("/_control/callback_answers")
async def callback_answers(request: web.Request) -> web.Response:
    state = _state(request)
    user_id = request.query.get("user_id")
    answers = [
        {
            "callback_query_id": q.id,
            "user_id": q.user_id,
            "message_id": q.message_id,
            "data": q.data,
            "answered": q.answer is not None,
            **(q.answer or {}),
        }
        for q in state.callback_queries.values()
        if user_id is None or str(q.user_id) == user_id
    ]
    return web.json_response(answers)


@routes.post("/_control/callback_queries/expire")
async def expire_queries(request: web.Request) -> web.Response:
    return web.json_response({"expired": _state(request).expire_callback_queries()})


@routes.get("/_control/files")
async def list_files(request: web.Request) -> web.Response:
    state = _state(request)
    by = request.query.get("uploaded_by")
    files = [f.control_view() for f in state.files.values() if by is None or f.uploaded_by == by]
    return web.json_response(files)


@routes.get("/_control/calls")
async def list_calls(request: web.Request) -> web.Response:
    state = _state(request)
    method = request.query.get("method", "").lower()
    since = int(request.query.get("since", "0"))
    # seq is the list position + 1, so a watcher polling with ``since`` reads only the tail.
    calls = [
        c.view()
        for c in state.calls[max(since, 0) :]
        if c.seq > since and (not method or c.method.lower() == method)
    ]
    return web.json_response(calls)


@routes.delete("/_control/calls")
async def clear_calls(request: web.Request) -> web.Response:
    _state(request).calls.clear()
    return web.json_response({"ok": True})


@routes.get("/_control/updates")
async def list_updates(request: web.Request) -> web.Response:
    updates = _state(request).updates
    return web.json_response(
        {"history": updates.history, "pending": [u.update_id for u in updates.pending]}
    )


@routes.post("/_control/faults")
async def add_fault(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        rule = FaultRule(
            method=str(body.get("method", "*")),
            kind=body.get("kind", "retry_after"),
            remaining=int(body.get("count", 1)),
            retry_after=int(body.get("retry_after", 5)),
            description=body.get("description"),
            delay=float(body.get("delay", 1.0)),
        )
        _state(request).faults.add(rule)
    except (TypeError, ValueError) as exc:
        return _error(str(exc))
    return web.json_response(rule.view())


@routes.get("/_control/faults")
async def list_faults(request: web.Request) -> web.Response:
    return web.json_response([r.view() for r in _state(request).faults.rules])


@routes.delete("/_control/faults")
async def clear_faults(request: web.Request) -> web.Response:
    _state(request).faults.clear()
    return web.json_response({"ok": True})


@routes.post("/_control/duplicate_next_update")
async def duplicate_next(request: web.Request) -> web.Response:
    body = await _body(request)
    updates = _state(request).updates
    updates.duplicate_next += int(body.get("count", 1))
    return web.json_response({"duplicate_next": updates.duplicate_next})


@routes.post("/_control/raw_update")
async def raw_update(request: web.Request) -> web.Response:
    """Queue an update exactly as given, e.g. one a bot library cannot parse."""
    body = await _body(request)
    kind, payload = body.get("kind"), body.get("payload")
    if not isinstance(kind, str) or not isinstance(payload, dict):
        return _error("kind (a string) and payload (an object) expected")
    update = _state(request).updates.push(kind, payload)
    return web.json_response({"update_id": update.update_id})


@routes.post("/_control/reset")
async def reset(request: web.Request) -> web.Response:
    _state(request).reset()
    return web.json_response({"ok": True})


@routes.post("/_control/config")
async def configure(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    if "callback_query_ttl" in body:
        state.callback_ttl = float(body["callback_query_ttl"])
    return web.json_response({"callback_query_ttl": state.callback_ttl})


@routes.get("/_control/files/{file_id}/content")
async def file_content(request: web.Request) -> web.Response:
    stored = _state(request).files.get(request.match_info["file_id"])
    if stored is None:
        return _error("no such file", 404)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )
