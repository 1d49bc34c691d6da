"""``python -m diplosim.cli``: the same as the ``diplosim`` command (and ``python -m diplosim``)."""

from diplosim.cli import main

main()
