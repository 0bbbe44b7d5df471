"""The database: the ORM schema, opening SQLite files and server URLs, migrations, backups.
Imports SQLAlchemy and Alembic; nothing else of annotator.
"""
