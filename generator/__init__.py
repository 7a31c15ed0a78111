"""oas-dataclasses: OpenAPI description in, typed standard-library Python package out."""

__version__ = "0.1.0"
