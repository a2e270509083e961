"""``python -m examples.generator [--out DIR]``: write the example portfolio."""

import sys

from .portfolio import main

sys.exit(main())
