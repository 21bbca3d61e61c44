"""`python -m translator`."""

from translator.cli.app import main

main()
