"""Allow ``python -m audioclass_gui``."""

from audioclass_gui.cli import main

raise SystemExit(main())
