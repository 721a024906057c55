"""`python -m studio.cli` runs the `shotline` command."""

import sys

from studio.cli import main

sys.exit(main())
