"""`python -m console.cli` runs the command line."""

import sys

from console.cli import main

sys.exit(main())
