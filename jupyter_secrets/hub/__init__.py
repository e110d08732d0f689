"""The JupyterHub secrets service: every hub user's secrets in one database (PostgreSQL, or
SQLite for a small hub), encrypted per user, reached by single-user servers with their hub token.

``app.py`` is the service (``jupyter-secrets-hub``), ``handlers.py`` its REST API,
``repository.py`` the use cases over the database, ``db.py`` the tables and migrations,
``keys.py`` the keys: a random data key per user, wrapped by the service key(s).  The
single-user side is ``jupyter_secrets.store.hub.HubSecretStore``; docs/DEPLOYMENT.md is the
admin's page.  Its extra dependencies come with ``pip install "jupyter_secrets[hub]"``.
"""
