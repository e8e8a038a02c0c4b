"""``python -m mkba_mc``: the same as the ``mkba-mc`` command."""

from .cli import main

main()
