"""PySide6 front end. Calls `console.core` services; long work runs off the GUI thread."""
