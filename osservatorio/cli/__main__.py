"""`python -m osservatorio.cli`: the same command as the `osservatorio` console script."""

from osservatorio.cli.app import main

main()
