"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

Web workers never run the scheduler; it is its own process (`flask --app wsgi tracker scheduler`).
"""
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
