"""The one error type core raises for input a user can fix."""


class DataError(ValueError):
    """Invalid input, with a plain-words message that names the problem and the fix.

    Pages catch it and show the message with ``st.error``; it subclasses ``ValueError`` so
    scikit-learn-style callers can catch it the usual way.
    """
