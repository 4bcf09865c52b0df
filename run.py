"""`python run.py` runs the default scenario; `python run.py COMMAND ...` is `highroad COMMAND`."""

import sys

from highroad.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help"):
        args = ["run", *args]
    sys.exit(main(args))
