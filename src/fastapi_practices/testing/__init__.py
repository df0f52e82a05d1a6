"""The test toolkit: live servers, load bursts, process accounting and a real PostgreSQL.

Registered as a pytest plugin (`fastapi_practices.testing.plugin`, entry point `pytest11`),
so a test gets the fixtures by installing the package. Servers bind to 127.0.0.1 only, and
every load loop here is bounded in count and time.
"""
