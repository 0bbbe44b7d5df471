"""Start the annotator window: ``python main.py [--db PATH_OR_URL] [--project NAME] [--sample]``."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
