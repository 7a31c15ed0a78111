"""Shared helpers for the generated models: the base class and JSON checks.

Private to the package; nothing here is part of its public interface.
"""

from __future__ import annotations

import json
import types
import typing
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, TypeVar

from .errors import DecodeError

_M = TypeVar("_M", bound="Model")
_T = TypeVar("_T")

# Marks a key that the input did not have.
ABSENT: Any = object()


class Meta:
    """What a decoded object needs to give its input back exactly.

    ``extra`` holds the keys the schema does not know, ``nulls`` the optional keys the
    input set to ``null``, and ``missing`` the required keys lenient decoding found
    absent. Objects without any of these (the common case) carry no ``Meta`` at all.
    """

    __slots__ = ("extra", "nulls", "missing")

    def __init__(
        self,
        extra: dict[str, Any] | None,
        nulls: list[str] | None,
        missing: list[str] | None,
    ) -> None:
        self.extra = extra
        self.nulls: frozenset[str] = frozenset(nulls or ())
        self.missing = missing

    def write(self, out: dict[str, Any], encode: Any = None) -> None:
        """Finish ``to_dict``: leave out required keys that were missing and have not
        been set since, and write the unknown keys back."""
        if self.missing:
            for key in self.missing:
                if out.get(key) is None:
                    out.pop(key, None)
        if self.extra:
            out.update(self.extra if encode is None else encode(self.extra))


class Model:
    """Base of every generated model. Its one private slot, ``_meta``, is ``None``
    unless the object was decoded from input that needs remembering (see ``Meta``)."""

    __slots__ = ("_meta",)

    _meta: Meta | None

    def __post_init__(self) -> None:
        self._meta = None

    @classmethod
    def from_dict(cls: type[_M], data: Mapping[str, Any], *, strict: bool = True) -> _M:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_json(
        cls: type[_M], text: str | bytes | bytearray, *, strict: bool = True
    ) -> _M:
        """Decode JSON text; see ``from_dict``. Text that is not JSON raises ``DecodeError``."""
        try:
            data = loads(text)
        except (ValueError, RecursionError) as exc:
            raise DecodeError(f"invalid JSON: {exc}") from exc
        return cls.from_dict(data, strict=strict)

    def to_json(self, *, indent: int | None = None) -> str:
        """Encode as JSON text (``json.dumps`` of ``to_dict()``)."""
        return json.dumps(self.to_dict(), indent=indent)


if TYPE_CHECKING:

    def new(cls: type[_T]) -> _T:
        """An instance with no field set: a decoder sets every slot itself."""

else:
    new = object.__new__

# The scanner json.loads ends in; typeshed does not declare the attribute.
_decoder: Any = json.JSONDecoder()
_scan: Callable[[str, int], tuple[Any, int]] = _decoder.scan_once


def loads(text: str | bytes | bytearray) -> Any:
    """``json.loads`` without its Python-level layers on the common path.

    Text that starts with a JSON value goes straight to the scanner ``json.loads``
    itself ends in (the same parser and values; three fewer Python frames, so nesting
    may go that much deeper). Everything else, leading whitespace, bytes and every
    error, goes to ``json.loads``, so results and error messages are exactly json's.
    """
    if isinstance(text, str):
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError, RecursionError):
            pass  # json.loads raises the error in its own words
        else:
            if end == len(text) or not text[end:].strip(" \t\n\r"):
                return value
    return json.loads(text)


def as_object(data: Any) -> dict[str, Any]:
    """The top of a decode must be a JSON object, in either mode."""
    if isinstance(data, dict):
        return data
    if isinstance(data, Mapping):
        return dict(data)
    raise mismatch(data, "object")


def is_int(v: Any) -> bool:
    """JSON Schema's integer: ``1.0`` is one, ``true`` is not."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and v.is_integer()


def is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def json_in(v: Any, values: tuple[Any, ...]) -> bool:
    """Enum membership with JSON equality: ``false`` is not ``0``, ``1.0`` is ``1``."""
    for w in values:
        if isinstance(w, bool) or isinstance(v, bool) or w is None or v is None:
            if v is w:
                return True
        elif isinstance(w, str):
            if isinstance(v, str) and v == w:
                return True
        elif isinstance(w, (dict, list)):
            if json_equal(v, w):
                return True
        elif is_num(v) and v == w:
            return True
    return False


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality for objects and arrays (enum and const values Literal cannot hold)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return json_in(a, (b,))


def show(v: Any) -> str:
    """A short rendering of a JSON value for an error message."""
    if isinstance(v, str):
        text = repr(v)
        return text if len(text) <= 60 else text[:56] + "...'"
    if v is None or isinstance(v, bool):
        return json.dumps(v)
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "an array"
    return type(v).__name__


def mismatch(v: Any, expected: str) -> DecodeError:
    return DecodeError(f"expected {expected}, got {show(v)}")


def not_one_of(v: Any, allowed: str) -> DecodeError:
    return DecodeError(f"{show(v)} is not one of {allowed}")


def missing_key(key: str) -> DecodeError:
    return DecodeError(f"missing required key {key!r}")


def finish(
    obj: Model,
    data: dict[str, Any],
    absent: int,
    known: frozenset[str],
    nulls: list[str] | None,
    missing: list[str] | None,
    strict: bool = False,
    decode_extra: Any = None,
    closed: bool = False,
) -> Any:
    """Attach a ``Meta`` to a decoded object whose input had unknown keys, nulls for
    optional fields, or missing required keys. A ``closed`` model (``additionalProperties:
    false``) has no unknown keys in strict mode."""
    extra = None
    if len(data) + absent > len(known):
        extra = {k: v for k, v in data.items() if k not in known}
        if closed and strict:
            key = next(iter(extra))
            raise DecodeError("unexpected key (the schema allows no others)").at(key)
        if decode_extra is not None:
            extra = decode_extra(extra, strict)
    obj._meta = Meta(extra, nulls, missing) if (extra or nulls or missing) else None
    return obj


def note(keys: list[str] | None, key: str) -> list[str]:
    """Remember a key that was absent or null, for ``to_dict``."""
    if keys is None:
        return [key]
    keys.append(key)
    return keys


_SCALARS: dict[Any, tuple[Callable[[Any], bool], str]] = {
    str: (lambda v: isinstance(v, str), "string"),
    int: (is_int, "integer"),
    float: (is_num, "number"),
    bool: (lambda v: v.__class__ is bool, "boolean"),
    None: (lambda v: v is None, "null"),
    type(None): (lambda v: v is None, "null"),
}


def decode_as(
    type_: Any,
    data: Any,
    strict: bool,
    aliases: Mapping[int, Callable[[Any, bool], Any]],
) -> Any:
    """The package's ``decode``: a named alias by its own decoder (``aliases``, by
    identity), a model by its codec, and the rest (``list[...]``, ``dict[str, ...]``,
    ``... | None``, ``Literal``, scalars) by their shape, down to named types."""
    decoder = aliases.get(id(type_))
    if decoder is not None:
        return decoder(data, strict)
    if type_ is Any or type_ is object:
        return data
    if isinstance(type_, type) and issubclass(type_, Model):
        if not isinstance(data, Mapping):
            if strict:
                raise mismatch(data, "object")
            return data
        return type_.from_dict(data, strict=strict)
    try:
        scalar = _SCALARS.get(type_)
    except TypeError:  # unhashable: not a type
        scalar = None
    if scalar is not None:
        if strict and not scalar[0](data):
            raise mismatch(data, scalar[1])
        return data
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    if origin is Literal:
        if strict and not json_in(data, args):
            raise not_one_of(data, ", ".join(show(a) for a in args))
        return data
    if origin is list and len(args) == 1:
        if not isinstance(data, list):
            if strict:
                raise mismatch(data, "array")
            return data
        out: list[Any] = []
        try:
            for v in data:
                out.append(decode_as(args[0], v, strict, aliases))
        except DecodeError as e:
            e.at(len(out))
            raise
        return out
    if origin is dict and len(args) == 2 and args[0] is str:
        if not isinstance(data, dict):
            if strict:
                raise mismatch(data, "object")
            return data
        items: dict[str, Any] = {}
        for k, v in data.items():
            try:
                items[k] = decode_as(args[1], v, strict, aliases)
            except DecodeError as e:
                e.at(k)
                raise
        return items
    if origin is typing.Union or origin is types.UnionType:
        rest = [a for a in args if a is not type(None)]
        if data is None and len(rest) < len(args):
            return None
        if len(rest) == 1:
            return decode_as(rest[0], data, strict, aliases)
        if all(a in _SCALARS or typing.get_origin(a) is Literal for a in rest):
            # scalars only: a check, nothing to decode, so no variant is tried in turn
            for a in rest:
                try:
                    return decode_as(a, data, True, aliases)
                except DecodeError:
                    pass
            if strict:
                raise mismatch(data, " or ".join(_describe(a) for a in args))
            return data
    raise TypeError(
        f"decode() does not know {type_!r}: pass a model, a type alias of this package "
        "(a union by its name), or list/dict/Optional/Literal of those"
    )


def _describe(type_: Any) -> str:
    if type_ in _SCALARS:
        return _SCALARS[type_][1]
    return ", ".join(show(a) for a in typing.get_args(type_))


def encode(value: Any) -> Any:
    """Any value of the package's types (a model, a list or dict holding models, a
    scalar) as JSON data, the inverse of ``decode``."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value
