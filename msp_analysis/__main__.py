"""``python -m msp_analysis``: the command line (:mod:`msp_analysis.present.cli`)."""

import sys

from .present.cli import main

if __name__ == "__main__":
    sys.exit(main())
