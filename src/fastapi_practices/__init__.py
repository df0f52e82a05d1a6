"""FastAPI Best Practices, verified: the practice catalogue as a package.

- `fastapi_practices.model`: what a page declares and what a test records (Pydantic).
- `fastapi_practices.catalogue`: reading and checking the catalogue (`load_catalogue`).
- `fastapi_practices.render`: the Markdown the site shows, written from the catalogue.
- `fastapi_practices.mkdocs_plugin`: the MkDocs plugin (`plugins: - fastapi-practices`).
- `fastapi_practices.testing`: the pytest plugin and the live-server test toolkit.
- `fastapi_practices.checker`: `fastapi-practices check`, the practices as static rules
  (standard library only).
- `fastapi_practices.cli`: the `fastapi-practices` command.
"""

__all__ = ["__version__"]

__version__ = "0.2.0"
