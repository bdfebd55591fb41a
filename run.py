"""WSGI entry point: `gunicorn run:app`, `flask --app run COMMAND`."""

import gc
import sys

from workshops import pdf

# `flask --app run report ...`: WeasyPrint loads in a child while the app is built (start_ahead).
if pdf.runs_pdf_command(sys.argv):
    pdf.start_ahead()

# What start-up makes (modules, the app, its URL map) lives as long as the process, and start-up
# leaves almost no cyclic garbage (a full collection after it frees a handful of objects). So the
# cycle collector stays off while the app is built, and afterwards never walks these objects again
# (gc.freeze): not in later collections, not at exit.
gc.disable()
try:
    from app import create_app
    from app.db import check_database
    from app.keys import share_secret_key

    app = create_app()
    check_database(app)  # a wrong DATABASE_URL is one clear line at start, not a traceback later
    share_secret_key(app)  # every app server signs sessions with the same secret
finally:
    gc.enable()
gc.freeze()
