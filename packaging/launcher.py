"""Entry script of the frozen (PyInstaller) application."""

from audioclass_gui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
