import os
import tempfile

# Headless Qt, and settings that never touch the user's own.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bpl-config-")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="bpl-data-")
