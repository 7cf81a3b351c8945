"""Bot API method handlers; importing this package registers them all."""

from . import basic, media, messages, updates
from .registry import METHODS, ApiContext, api_method, lookup

__all__ = ["METHODS", "ApiContext", "api_method", "basic", "lookup", "media", "messages", "updates"]
