"""``python -m diplosim``: the same as the ``diplosim`` command."""

from diplosim.cli import main

main()
