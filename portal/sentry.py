"""Errors reported to Sentry (sentry-sdk), only when SENTRY_DSN is set: nothing is sent otherwise.

No personal data: no user, no cookies, no request body (send_default_pii=False); the request id
of portal.logs is attached as a tag, so that an event and its log lines can be matched.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def sentry_init(*, dsn: str, environment: str, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        traces_sample_rate=0.0,
        transport=transport,
    )
