"""Write the example portfolio: ``uv run python examples/generate.py [--out DIR]``.

The generator is the package ``examples/generator/`` (one module per example project and the
shared writers); this file is its documented entry point, kept so that the command stays short.
``python -m examples.generator --out DIR`` runs the same.
"""

import importlib
import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, Python puts examples/ on the path, not the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(importlib.import_module("examples.generator").main())
