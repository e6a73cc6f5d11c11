"""Qt widgets, models and dialogs. The only package that imports PySide6."""
