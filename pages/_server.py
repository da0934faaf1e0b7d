"""Start Cutoff's server with what its first page needs already imported: ``make run``.

``streamlit run streamlit_app.py`` imports numpy, pandas, pyarrow and the app's core modules on
the first visitor's run (about 1 s of CPU here), so the first person to open a fresh server waits
for them. Imported before the server starts, they cost that second at start-up, when nobody is
waiting. Streamlit runs the app's script in this same process, so the script then finds them
imported.

    python -m pages._server [streamlit run's options, e.g. --server.port 8501]

Only modules that do not import Streamlit are imported here: the pages' own helpers create their
``st.cache_data`` stores when imported, which must happen inside the running server. scikit-learn,
scipy and Altair stay lazy, as under ``streamlit run`` (only other pages need them).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"

#: What the Data page's first run imports, heaviest first (``python -X importtime``).
FIRST_PAGE_MODULES = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.csv",
    "pyarrow.compute",
    "core.read",
    "core.setup",
    "core.contract",
    "core.scores",
    "core.target",
    "core.identity",
    "core.demos",
    "core.store",
    "core.workspace",
)


def preload() -> None:
    """Import :data:`FIRST_PAGE_MODULES`."""
    for name in FIRST_PAGE_MODULES:
        importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    """``streamlit run streamlit_app.py`` with ``argv`` (default: this command's arguments)."""
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
