"""``python -m jupyter_secrets.hub``: the same as the ``jupyter-secrets-hub`` command."""

from jupyter_secrets.hub.app import main

if __name__ == "__main__":
    main()
