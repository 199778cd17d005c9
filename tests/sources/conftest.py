from tests.sources.platform_server import platform  # noqa: F401  (the connector test server)
