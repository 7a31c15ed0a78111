"""The code every generated package carries verbatim: ``_http.py``, ``_runtime.py`` and
``errors.py`` are copied, under the generated header, into each package (``_http.py``
only when the spec has operations; see ``generator.render.FILES``).

They are real modules so that editors, linters, type checkers and tests see Python:
``import generator.runtime._http`` works here as ``from ._http import ...`` works in a
generated package (they import each other relatively). They are kept in black's format
(the tests check it): they are written as they are, without going through the formatter.
Nothing here may import from ``generator`` or from outside the standard library.
"""
