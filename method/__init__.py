"""The method as data and the programme engine: pure Python, nothing of Flask or SQLAlchemy."""
