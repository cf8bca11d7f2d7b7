import sys

from deckbuild.cli import run

sys.exit(run(sys.argv[1:]))
