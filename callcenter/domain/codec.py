"""Versioned JSON payloads for domain events (bus, MQTT, WebSocket).

A payload is ``{"v": 1, "type": "<EventClass>", ...fields}``. Unknown fields are
ignored and unknown types rejected with ``CodecError``, so a newer publisher does
not crash an older subscriber.
"""

import dataclasses
import json
import types
import typing
from enum import StrEnum
from typing import Any

from callcenter.domain import events, supervision
from callcenter.errors import CallCenterError

PAYLOAD_VERSION = 1


class CodecError(CallCenterError):
    """A payload could not be decoded into a domain event."""


_BASES = (events.DomainEvent, supervision.MonitorEvent)


def _event_types() -> dict[str, type[events.DomainEvent]]:
    found: dict[str, type[events.DomainEvent]] = {}
    for module in (events, supervision):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, events.DomainEvent)
                and value not in _BASES
            ):
                found[value.__name__] = value
    return found


EVENT_TYPES = _event_types()


def to_payload(event: events.DomainEvent) -> dict[str, Any]:
    """Return the JSON-ready dict of an event."""
    body: dict[str, Any] = {"v": PAYLOAD_VERSION, "type": type(event).__name__}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        body[field.name] = value.value if isinstance(value, StrEnum) else value
    return body


def to_json(event: events.DomainEvent) -> bytes:
    """Encode an event as compact UTF-8 JSON."""
    return json.dumps(to_payload(event), separators=(",", ":")).encode()


def _enum_of(annotation: Any) -> type[StrEnum] | None:
    candidates = (
        typing.get_args(annotation)
        if isinstance(annotation, types.UnionType)
        else (annotation,)
    )
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return candidate
    return None


def from_payload(body: Any) -> events.DomainEvent:
    """Decode a payload dict into its event; raise ``CodecError`` when malformed."""
    if not isinstance(body, dict):
        raise CodecError("payload is not a JSON object")
    if body.get("v") != PAYLOAD_VERSION:
        raise CodecError(f"unsupported payload version {body.get('v')!r}")
    cls = EVENT_TYPES.get(str(body.get("type")))
    if cls is None:
        raise CodecError(f"unknown event type {body.get('type')!r}")
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in body:
            continue
        value = body[field.name]
        enum = _enum_of(hints[field.name])
        if enum is not None and value is not None:
            try:
                value = enum(value)
            except ValueError as exc:
                msg = f"{cls.__name__}.{field.name}: bad value {value!r}"
                raise CodecError(msg) from exc
        kwargs[field.name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        msg = f"{cls.__name__}: {exc}"
        raise CodecError(msg) from exc


def from_json(data: bytes | str) -> events.DomainEvent:
    """Decode UTF-8 JSON into an event; raise ``CodecError`` when malformed."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"payload is not valid JSON: {exc}"
        raise CodecError(msg) from exc
    return from_payload(body)
