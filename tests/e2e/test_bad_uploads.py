"""Flow 3: a file that is not a usable CSV gets a plain-words error, never a traceback, and
the table loaded before it stays loaded."""

import base64

import pytest

pytestmark = pytest.mark.e2e

# A real 1x1 PNG: binary bytes (NULs, high bytes) behind a .csv name.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# case -> (file name, bytes, words the message must contain to say what is wrong)
BAD_FILES = {
    "png-bytes": ("picture.csv", PNG, "png"),
    "ragged": ("ragged.csv", b"id,amount,churn\n1,10.5,yes\n2,3.2,no,extra,cells\n3\n4,7.1,yes\n", "line 3"),
    "empty": ("empty.csv", b"", "empty"),
    "header-only": ("header.csv", b"id,amount,churn\n", "no data rows"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_upload_shows_an_error_and_no_exception(app, case):
    filename, data, reason = BAD_FILES[case]
    app.open("")
    loaded = app.main.get_by_text("Loaded:", exact=False)
    app.expect(loaded).to_be_visible()
    loaded_before = loaded.inner_text()

    app.upload("Upload a CSV", filename, data)
    error = app.main.get_by_test_id("stAlertContentError").filter(has_text=filename)
    app.expect(error).to_be_visible()
    app.idle()
    text = error.inner_text()
    app.screenshot(f"bad-upload-{case}")

    assert reason in text.lower(), f"the error does not say what is wrong ({reason!r}): {text!r}"
    for leak in ("Traceback", 'File "', "/work/", "Error:", "Exception"):
        assert leak not in text, f"the error shows internals ({leak!r}): {text!r}"
    app.expect(app.exceptions()).to_have_count(0)
    assert loaded.inner_text() == loaded_before, "a bad upload replaced the table that was loaded"
    app.assert_clean()
