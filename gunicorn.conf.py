"""Gunicorn configuration of the portal in production:

    gunicorn -c gunicorn.conf.py portal.wsgi:application

Every value can be changed by an environment variable (listed in .env.example). Graceful
restarts: `kill -HUP <master pid>` starts new workers with the new code and lets the old ones
finish their requests; `kill -TERM` stops after the requests in progress (GUNICORN_GRACEFUL_TIMEOUT
seconds at most). Workers are also replaced after GUNICORN_MAX_REQUESTS requests, so that no
process grows for ever.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the portal's requests are short and CPU-bound (about 10 ms a page, less from the
# cache). 2 per core plus one, by default.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# A worker that has not answered for `timeout` seconds is killed and replaced. Above the
# database's statement timeout (DB_STATEMENT_TIMEOUT, 20 s) so that a slow query ends in a
# 503 page rather than a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind a load balancer, connections are kept open between requests for a few seconds.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Limits on what a client may send before Django sees it (Django then limits the body).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The proxies whose X-Forwarded-* headers gunicorn trusts (the portal's own client address logic
# is TRUSTED_PROXIES, see portal.settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Heartbeat files in memory, not on a disk that may be slow or read-only.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs on standard error. The one line per request is written by Django, in JSON with the request
# id (portal.middleware.RequestIdMiddleware): gunicorn's access log would repeat it without the id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
    }
