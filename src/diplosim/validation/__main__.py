"""``python -m diplosim.validation``: run the suite and write its table (``make validate``)."""

from diplosim.validation import main

main()
