# The Celery app, loaded with Django so that the tasks' decorators use it (crossborder/celery.py).
from .celery import app as celery_app

__all__ = ("celery_app",)
