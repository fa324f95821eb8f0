"""The WSGI application. It starts nothing: `luodi serve` warms each gunicorn worker's search
index in a hook (luodi/gunicorn_conf.py) before the worker takes requests."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
application = get_wsgi_application()
