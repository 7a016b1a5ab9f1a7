"""Settings for the benchmarks: the portal's own, plus an empty view to compare against."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
