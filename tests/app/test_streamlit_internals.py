"""The one Streamlit internal the app still relies on, checked so an upgrade fails loudly.

pages/_ui.py switches a fresh server out of Streamlit's old "pages/ folder" mode by setting
``PagesManager.uses_pages_directory = False`` (no public API does that before the entry
script has run; see ``_leave_pages_folder_mode``). If a Streamlit release renames the flag,
stops reading it, or stops setting it from a ``pages/`` folder, these tests say so: then the
workaround in _ui must be revisited (perhaps deleted, if Streamlit no longer needs it).
"""

from __future__ import annotations

import inspect

import pytest


def test_pages_manager_still_has_the_class_level_pages_directory_flag():
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError as error:  # pragma: no cover - only on a Streamlit upgrade
        pytest.fail(f"streamlit.runtime.pages_manager.PagesManager is gone ({error}); revisit "
                    "pages/_ui.py::_leave_pages_folder_mode.")
    assert "uses_pages_directory" in vars(PagesManager), (
        "PagesManager.uses_pages_directory is no longer a class attribute; revisit "
        "pages/_ui.py::_leave_pages_folder_mode (deep links on a fresh server).")


def test_a_pages_folder_still_turns_the_flag_on_and_st_navigation_turns_it_off(tmp_path):
    from streamlit.runtime.pages_manager import PagesManager

    (tmp_path / "pages").mkdir()
    main = tmp_path / "app.py"
    main.write_text("")
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        PagesManager(str(main))
        assert PagesManager.uses_pages_directory is True, (
            "A pages/ folder no longer switches Streamlit into the old multipage mode: the "
            "workaround in pages/_ui.py::_leave_pages_folder_mode may be deleted.")
    finally:
        PagesManager.uses_pages_directory = saved
    import streamlit.commands.navigation as navigation

    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation), (
        "st.navigation no longer clears PagesManager.uses_pages_directory; setting it from "
        "pages/_ui.py may no longer do what st.navigation does.")


def test_the_script_runner_still_reads_the_flag():
    from streamlit.runtime.scriptrunner import script_runner

    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner), (
        "Streamlit's script runner no longer reads PagesManager.uses_pages_directory; revisit "
        "pages/_ui.py::_leave_pages_folder_mode.")


def test_ui_uses_no_other_streamlit_internal():
    from pages import _ui

    source = inspect.getsource(_ui)
    imports = [line.strip() for line in source.splitlines()
               if line.strip().startswith(("from streamlit", "import streamlit"))]
    assert imports == ["import streamlit as st", "from streamlit.runtime.pages_manager import PagesManager"], imports
