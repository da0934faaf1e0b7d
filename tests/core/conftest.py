"""Hypothesis settings for mutation runs (``make mutate`` sets ``CUTOFF_MUTATION=1``).

A mutant only needs *a* failing example to be killed, so the mutation profile skips shrinking
(most of the time a property test spends on a failure), keeps no example database and draws
the same examples for every mutant. Ordinary runs keep Hypothesis' defaults.
"""

import os

from hypothesis import Phase, settings

settings.register_profile(
    "mutation",
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    database=None,
    derandomize=True,
)
if os.environ.get("CUTOFF_MUTATION"):
    settings.load_profile("mutation")
