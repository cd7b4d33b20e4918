"""gunicorn settings for fupin (网页服务): `gunicorn -c python:fupin.web.gunicorn_conf fupin.wsgi`.

Each can be set from the environment (the systemd EnvironmentFile or compose `env_file`);
a `--bind` or `--workers` on gunicorn's command line overrides them.
"""

import multiprocessing
import os

bind = os.environ.get("FUPIN_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb, 2 × cores + 1, at most 9: the pages wait on the database, not the CPU.
workers = int(os.environ.get("FUPIN_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
# Exports of a whole county's registry can take a minute; uploads are staged in the background.
timeout = int(os.environ.get("FUPIN_WEB_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("FUPIN_LOG_LEVEL", "info").lower()
# The reverse proxy on this machine (nginx) may pass the client's address and scheme.
forwarded_allow_ips = os.environ.get("FUPIN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket sits in the service user's home by default, where two servers on one
# machine would share it; fupin is run through systemd (or `fupin serve`), not `gunicornc`.
control_socket_disable = True
