"""Entry point of the bundle's windowed launcher on Windows and macOS (id-console-gui.exe, the .app).

No console window opens for it. `multiprocessing.freeze_support()` first, as in entry.py: the GUI's helper
process re-runs this executable.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from console.gui.app import main

    main()
