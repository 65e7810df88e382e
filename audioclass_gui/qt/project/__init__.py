"""Review projects in the window: the recording list, opening, project files and imports, Open Recent, problems."""
