"""getUpdates (long polling) and the webhook methods."""

from __future__ import annotations

import re
from typing import Any

from ..errors import WEBHOOK_ACTIVE, bad_request, conflict
from ..model import WebhookConfig
from ..params import Params
from .registry import ApiContext, Described, api_method

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(p: Params) -> list[str] | None:
    value = p.json("allowed_updates")
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request("can't parse allowed_updates JSON array")
    return [str(kind) for kind in value]


@api_method("getUpdates")
async def get_updates(ctx: ApiContext, p: Params) -> list[dict[str, Any]]:
    if ctx.state.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    limit = min(max(p.int("limit", 100) or 100, 1), 100)
    timeout = max(p.int("timeout", 0) or 0, 0)
    return await ctx.state.updates.get_updates(
        p.int("offset"), limit, float(timeout), _allowed_updates(p)
    )


@api_method("setWebhook")
async def set_webhook(ctx: ApiContext, p: Params) -> Described:
    url = p.str("url") or ""
    if not url:
        return await delete_webhook(ctx, p)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.str("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if p.bool("drop_pending_updates"):
        ctx.state.updates.drop_pending()
    ctx.state.webhook = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=p.int("max_connections", 40) or 40,
        allowed_updates=_allowed_updates(p),
    )
    ctx.state.updates.end_polls()
    ctx.webhook.start()
    return Described(True, "Webhook was set")


@api_method("deleteWebhook")
async def delete_webhook(ctx: ApiContext, p: Params) -> Described:
    was_set = ctx.state.webhook is not None
    ctx.state.webhook = None
    await ctx.webhook.stop()
    if p.bool("drop_pending_updates"):
        ctx.state.updates.drop_pending()
    ctx.state.touch()
    return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@api_method("getWebhookInfo")
async def get_webhook_info(ctx: ApiContext, p: Params) -> dict[str, Any]:
    hook = ctx.state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.state.updates.pending),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        info["ip_address"] = "127.0.0.1"
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info
