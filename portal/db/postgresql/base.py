"""Django's PostgreSQL backend, failing fast while the server cannot be reached.

Each attempt to connect waits DB_CONNECT_TIMEOUT seconds at most (libpq's connect_timeout).
After a failed attempt, a process does not try again for DB_RETRY_SECONDS: during an outage
its requests get the 503 page at once instead of each waiting for the timeout.
"""

import threading
import time

from django.conf import settings
from django.db.backends.postgresql import base


class _Outage:
    def __init__(self):
        self.until = 0.0
        self.error = ""
        self.lock = threading.Lock()


_outage = _Outage()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        if time.monotonic() < _outage.until:
            raise base.Database.OperationalError(f"Base de données injoignable (dernier essai : {_outage.error})")
        try:
            connection = super().get_new_connection(conn_params)
        except base.Database.OperationalError as error:
            with _outage.lock:
                _outage.until = time.monotonic() + getattr(settings, "DB_RETRY_SECONDS", 0)
                _outage.error = str(error).strip()[:200]
            raise
        _outage.until = 0.0
        return connection
