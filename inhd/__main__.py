"""``python -m inhd``: the same as the ``inhd`` command."""

import sys

from inhd.cli import main

sys.exit(main())
