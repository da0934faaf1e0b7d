"""Shared fixtures of the core tests: Hypothesis settings for mutation runs (``make mutate`` sets
``CUTOFF_MUTATION=1``) and one local Spark session for the summariser's Spark tests.

A mutant only needs *a* failing example to be killed, so the mutation profile skips shrinking
(most of the time a property test spends on a failure), keeps no example database and draws
the same examples for every mutant. Ordinary runs keep Hypothesis' defaults.
"""

import os
import shutil
import subprocess
import warnings

import pytest
from hypothesis import Phase, settings

settings.register_profile(
    "mutation",
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    database=None,
    derandomize=True,
)
if os.environ.get("CUTOFF_MUTATION"):
    settings.load_profile("mutation")


def _java_runs() -> bool:
    if shutil.which("java") is None:
        return False
    return subprocess.run(["java", "-version"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def spark():
    """A local Spark session (one JVM for every test that asks); Java must be there on CI."""
    if not _java_runs():
        if os.environ.get("CI"):
            pytest.fail("No Java runtime on CI: `make test` installs default-jre-headless; the Spark tests must run.")
        pytest.skip("no Java runtime here (make java installs Debian's default-jre-headless)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PySpark's note about the pandas version: it does not use pandas here
        from pyspark.sql import SparkSession

        session = (SparkSession.builder.master("local[2]").appName("cutoff-tests")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                   # Tiny jobs: the quick JIT tier alone starts and runs them sooner.
                   .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
                   .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
