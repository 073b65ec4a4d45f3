"""``python -m cxlab.screenshot PAGE.html OUT.png``: screenshot a report (for the README)."""

import sys
from pathlib import Path

from .browser import screenshot

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m cxlab.screenshot PAGE.html OUT.png")
    print(screenshot(Path(sys.argv[1]), Path(sys.argv[2])))
