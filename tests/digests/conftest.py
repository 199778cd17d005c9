"""The real loopback receivers of the alert tests: an SMTP server (aiosmtpd) and an HTTP one."""

from tests.alerts.conftest import http_receiver, smtp_receiver  # noqa: F401
