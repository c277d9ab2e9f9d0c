"""gunicorn.conf.py: the production server's settings that are more than a value."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Starts as a service manager with a low soft limit would, then loads the config.
LOAD_WITH_LOW_SOFT_LIMIT = """
import resource, runpy
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
config = runpy.run_path("gunicorn.conf.py")
print(resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard, config["worker_connections"],
      config["backlog"])
"""


def test_the_descriptor_limit_is_raised_so_workers_hold_thousands_of_connections():
    done = subprocess.run(  # noqa: S603  (our own interpreter and config)
        [sys.executable, "-c", LOAD_WITH_LOW_SOFT_LIMIT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    soft, hard, worker_connections, backlog = (int(value) for value in done.stdout.split())

    # With a soft limit of 1,024 four workers took at most ~4,000 of 5,000 clients.
    assert soft == hard
    assert worker_connections >= 5000
    # 256 pending connections reset clients when 5,000 connected at once.
    assert backlog >= 2048
