"""`python -m stepcheck` runs the command line."""

from stepcheck.cli import main

main()
