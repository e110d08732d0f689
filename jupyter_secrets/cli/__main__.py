"""``python -m jupyter_secrets.cli``: the same as ``jupyter secrets``."""

import sys

from jupyter_secrets.cli.main import main

sys.exit(main())
