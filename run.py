"""WSGI entry point: `gunicorn run:app`, `flask --app run COMMAND`."""

from app import create_app

app = create_app()
