"""What every feature of the window shares: the task runner and workers, docks, styles, table items, the time format, icons, undo commands."""
