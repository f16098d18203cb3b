"""``python -m gymvision.cli``."""

from . import main

main()
