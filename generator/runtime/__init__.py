"""The code every generated package carries verbatim, copied under the generated header
(see ``generator.render.FILES``). Split by concern, as the official SDK splits its base
client:

    _runtime.py      codec helpers the models use
    errors.py        the exceptions (and ``InsecureURLWarning``)
    _transport.py    Request/Response, Timeout, the Transport protocols, HTTPTransport
    _retries.py      which failures are retried and the waits between attempts
    _encoding.py     the path, query strings, header parameters, JSON/multipart/form bodies
    _response.py     RawResponse, StreamedRawResponse, the status errors
    _streaming.py    server-sent event streams
    _base_client.py  client options, per-call options, the one retry loop, with_options, logging

The last six are carried only when the spec has operations.

They are real modules so that editors, linters, type checkers and tests see Python:
``import generator.runtime._transport`` works here as ``from ._transport import ...``
works in a generated package (they import each other relatively). They are kept in
black's format (the tests check it): they are written as they are, without going
through the formatter. Nothing here may import from ``generator`` or from outside the
standard library.
"""
