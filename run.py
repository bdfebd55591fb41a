"""WSGI entry point: `gunicorn run:app`, `flask --app run COMMAND`."""

from app import create_app
from app.db import check_database
from app.keys import share_secret_key

app = create_app()
check_database(app)  # a wrong DATABASE_URL is one clear line at start, not a traceback later
share_secret_key(app)  # every app server signs sessions with the same secret
