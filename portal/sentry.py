"""Errors reported to Sentry (sentry-sdk), only when SENTRY_DSN is set: nothing is sent otherwise.

No personal data: no user, no request body, session and CSRF cookies scrubbed; the request id
of portal.logs is attached as a tag, so that an event and its log lines can be matched.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def sentry_init(*, dsn: str, environment: str, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # No user identity, no request bodies; cookies and headers with the SDK's sensitive denylist scrubbed.
        data_collection={"user_info": False, "http_bodies": []},
        traces_sample_rate=0.0,
        transport=transport,
    )
