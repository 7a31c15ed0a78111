"""Request encoding: the path, the query string, header parameters and bodies (JSON,
multipart forms, URL-encoded forms, raw bytes).

``FileInput`` is what uploads accept; everything else is private to the package.
"""

from __future__ import annotations

import json
import mimetypes
import os
import urllib.parse
import uuid
from typing import IO, Any, Iterable, Mapping, Union

from .errors import ClientError

# What an upload accepts: the bytes, a path, a binary file object, a (filename, bytes
# or file object) pair, or a (filename, bytes or file object, content type) triple.
FileInput = Union[
    bytes,
    "os.PathLike[str]",
    IO[bytes],
    tuple[str, Union[bytes, IO[bytes]]],
    tuple[str, Union[bytes, IO[bytes]], str],
]

# A request body as it is sent: (bytes, content type).
Content = tuple[bytes, str]


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query(items: Iterable[tuple[str, object, bool, bool]]) -> str:
    """``?k=v&...`` for (name, value, explode, deep) query parameters; ``None`` values
    are left out. Booleans are ``true``/``false``; a list repeats its key when
    ``explode`` (``k=a&k=b``), else joins with commas; an object is ``k[sub]=v`` when
    ``deep``, else its own ``sub=v`` pairs."""
    pairs: list[tuple[str, str]] = []
    for name, value, explode, deep in items:
        if value is None:
            continue
        value = jsonable(value)
        if isinstance(value, list):
            if explode:
                pairs.extend((name, _scalar(v)) for v in value)
            else:
                pairs.append((name, ",".join(_scalar(v) for v in value)))
        elif isinstance(value, dict):
            for k, v in value.items():
                if v is not None:
                    pairs.append((f"{name}[{k}]" if deep else k, _scalar(v)))
        else:
            pairs.append((name, _scalar(value)))
    return (
        "?" + urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
        if pairs
        else ""
    )


def masked_url(url: str, names: Iterable[str]) -> str:
    """``url`` with the values of the query parameters ``names`` (credentials) masked."""
    secret = frozenset(names)
    parts = urllib.parse.urlsplit(url)
    if not secret or not parts.query:
        return url
    pairs = [
        (name, "***" if name in secret else value)
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    ]
    query_text = urllib.parse.urlencode(pairs, safe="*", quote_via=urllib.parse.quote)
    return urllib.parse.urlunsplit(parts._replace(query=query_text))


def with_query(url: str, extra: Mapping[str, object] | None) -> str:
    """``url`` with ``extra`` query parameters added (lists repeat the key)."""
    if not extra:
        return url
    added = query((name, value, True, False) for name, value in extra.items())
    return url + ("&" + added[1:] if "?" in url else added) if added else url


def headers(values: Mapping[str, object]) -> dict[str, str]:
    """An operation's header parameters (``None``: not sent)."""
    return {name: _scalar(v) for name, v in values.items() if v is not None}


def header_safe(value: str) -> bool:
    return all(" " <= ch <= "~" or ch == "\t" for ch in value)


def check_headers(values: Mapping[str, str] | None, where: str) -> None:
    """``ClientError`` for a header name or value that cannot go on the wire (CR, LF,
    other control characters, non-ASCII); it names the header, never the value."""
    for name, value in (values or {}).items():
        if (
            not isinstance(name, str)
            or not name
            or not all("!" <= ch <= "~" and ch != ":" for ch in name)
        ):
            raise ClientError(f"{where}: {name!r} is not a valid header name")
        if not isinstance(value, str) or not header_safe(value):
            raise ClientError(
                f"{where}: the value of header {name!r} must be a string of printable "
                "ASCII characters (it is not shown here)"
            )


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: a generated model gives its ``to_dict()``."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def json_content(value: object, extra: Mapping[str, object] | None = None) -> Content:
    """A JSON body; ``extra`` is merged into it when it is an object."""
    data = jsonable(value)
    if extra:
        if not isinstance(data, dict):
            raise ClientError(
                "extra_body can only be merged into a JSON object body, "
                f"not {type(data).__name__}"
            )
        data.update({k: jsonable(v) for k, v in extra.items()})
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return body, "application/json"


def optional_json(
    value: object, extra: Mapping[str, object] | None = None
) -> Content | None:
    """An optional JSON body: nothing when neither it nor ``extra`` is given."""
    return None if value is None and extra is None else json_content(value, extra)


def extra_content(extra: Mapping[str, object] | None) -> Content | None:
    """The body of an operation that has none: ``extra`` as a JSON object, if given."""
    return None if extra is None else json_content(dict(extra))


def json_fields(
    fields: Iterable[tuple[str, object, bool]],
    consts: Mapping[str, object],
    extra: Mapping[str, object] | None,
) -> Content:
    """A JSON object body: each ``(name, value, required)`` field in order, a required one
    always (``None`` as null: it is required and nullable), an optional one when given
    (not ``None``); the operation's constants, then ``extra`` as is
    (``extra_body={"x": None}`` sends an explicit null)."""
    body = {
        name: jsonable(v) for name, v, required in fields if required or v is not None
    }
    body.update(consts)
    body.update({k: jsonable(v) for k, v in (extra or {}).items()})
    return json_content(body)


def _form_pairs(
    name: str, value: Any, style: str, explode: bool
) -> list[tuple[str, str]]:
    """The ``application/x-www-form-urlencoded`` pairs of one field (see ``form``)."""
    if style == "json":
        return [(name, json.dumps(value, ensure_ascii=False))]
    if style == "deepObject" and isinstance(value, (dict, list)):
        out: list[tuple[str, str]] = []
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            if v is not None:
                out += _form_pairs(f"{name}[{k}]", v, style, explode)
        return out
    if isinstance(value, list):
        if explode:
            return [(name, _form_text(v)) for v in value]
        return [(name, list_separator(style).join(_form_text(v) for v in value))]
    if isinstance(value, dict):
        given = [(k, v) for k, v in value.items() if v is not None]
        if explode:
            return [(k, _form_text(v)) for k, v in given]
        return [(name, ",".join(f"{k},{_form_text(v)}" for k, v in given))]
    return [(name, _scalar(value))]


def list_separator(style: str) -> str:
    """What joins a list's items in a form field of ``style`` that is not exploded."""
    return {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")


def _form_text(value: Any) -> str:
    """A value inside a form field's list or object: scalars as text, anything
    nested as JSON."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _scalar(value)


def form(
    fields: Iterable[tuple[str, object, str, bool]],
    consts: Mapping[str, object],
    extra: Mapping[str, object] | None,
) -> Content:
    """An ``application/x-www-form-urlencoded`` body for (name, value, style, explode)
    fields as the spec's ``encoding`` says; ``None`` values are left out. Booleans are
    ``true``/``false``. A list repeats its key (``style`` form, exploded), else joins
    its items with commas, spaces (spaceDelimited) or pipes (pipeDelimited); an object
    gives its own ``sub=v`` pairs (exploded), ``k=sub,v`` (not), or ``k[sub]=v`` for
    deepObject, nested as deep as it goes (list items by index: ``k[a][0]=v``);
    ``json`` style sends the value as JSON text. The constants, then ``extra``, are
    added as exploded form fields."""
    pairs: list[tuple[str, str]] = []
    for name, value, style, explode in fields:
        if value is not None:
            pairs += _form_pairs(name, jsonable(value), style, explode)
    for name, value in list(consts.items()) + list((extra or {}).items()):
        if value is not None:
            pairs += _form_pairs(name, jsonable(value), "form", True)
    return (
        urllib.parse.urlencode(pairs).encode("ascii"),
        "application/x-www-form-urlencoded",
    )


def raw_content(
    value: bytes | None, media: str, extra: Mapping[str, object] | None = None
) -> Content | None:
    if extra:
        raise ClientError(f"extra_body cannot be added to a {media} body")
    return None if value is None else (bytes(value), media)


_mime_types: mimetypes.MimeTypes | None = None


def _media_type(filename: str) -> str:
    """A file part's media type, guessed from its name's extension with the standard
    library's own table (not the system's, so every machine guesses alike);
    ``application/octet-stream`` when it does not know it or the name is compressed."""
    global _mime_types
    if _mime_types is None:
        _mime_types = mimetypes.MimeTypes()
    kind, encoding = _mime_types.guess_type("upload" + os.path.splitext(filename)[1])
    return kind if kind is not None and encoding is None else "application/octet-stream"


def _file(value: FileInput) -> tuple[str, bytes, str]:
    """(filename, content, content type) of a file part."""
    if isinstance(value, tuple):
        name, content, *given = value
        if given and not (given[0] and header_safe(given[0])):
            raise ValueError(
                f"the content type of {name!r} must be printable ASCII, got {given[0]!r}"
            )
        data = content if isinstance(content, bytes) else content.read()
        return name, data, given[0] if given else _media_type(name)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "upload", bytes(value), "application/octet-stream"
    if isinstance(value, os.PathLike):
        with open(value, "rb") as f:
            name = os.path.basename(os.fspath(value))
            return name, f.read(), _media_type(name)
    given_name = getattr(value, "name", None)
    if isinstance(given_name, str) and given_name:
        name = os.path.basename(given_name)
        return name, value.read(), _media_type(name)
    return "upload", value.read(), "application/octet-stream"


def _quote_param(text: str) -> str:
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart(
    fields: Iterable[tuple[str, object, bool]],
    extra: Mapping[str, object] | None = None,
    boundary: str | None = None,
) -> Content:
    """A ``multipart/form-data`` body for (name, value, is a file) fields; ``None``
    values are left out. Files (or lists of files) become file parts; strings go as
    they are, booleans as ``true``/``false``, numbers as text, lists of scalars as
    repeated parts and objects (models included) as JSON text. ``extra`` adds fields."""
    boundary = boundary or uuid.uuid4().hex
    out: list[bytes] = []

    def part(
        name: str, data: bytes, filename: str | None = None, media: str = ""
    ) -> None:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote_param(name)}"'
        if filename is not None:
            head += f'; filename="{_quote_param(filename)}"\r\nContent-Type: {media}'
        out.append(head.encode("utf-8") + b"\r\n\r\n" + data + b"\r\n")

    items = list(fields) + [(k, v, False) for k, v in (extra or {}).items()]
    for name, value, is_file in items:
        if value is None:
            continue
        if is_file:
            for f in value if isinstance(value, list) else [value]:
                filename, data, media = _file(f)  # type: ignore[arg-type]
                part(name, data, filename, media)
            continue
        value = jsonable(value)
        if isinstance(value, list) and all(
            not isinstance(v, (dict, list)) for v in value
        ):
            for v in value:
                part(name, _scalar(v).encode("utf-8"))
        elif isinstance(value, (dict, list)):
            part(name, json.dumps(value, ensure_ascii=False).encode("utf-8"))
        else:
            part(name, _scalar(value).encode("utf-8"))
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def path(template: str, values: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders, percent-encoding each value with nothing safe.
    ``ValueError`` for an empty value, and for ``.`` and ``..``, which a server would
    read as a step in the path (``/jobs/../resume`` is another endpoint)."""
    out = template
    for name, value in values.items():
        if value is None or value == "":
            raise ValueError(
                f"Expected a non-empty value for `{name}` but received {value!r}"
            )
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if text in (".", ".."):
            raise ValueError(
                f"`{name}` cannot be {text!r}: it would change the path, not fill it"
            )
        out = out.replace("{" + name + "}", urllib.parse.quote(text, safe=""))
    return out
