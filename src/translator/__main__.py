"""`python -m translator`."""

from translator.cli import main

main()
