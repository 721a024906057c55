"""`python -m studio` starts the browser studio (as `shotline studio` does); with arguments
it is the `shotline` command (`python -m studio storyboard script.txt`)."""

import sys

from studio.cli import main

sys.exit(main(sys.argv[1:] or ["studio"]))
