"""One local SparkSession for the whole test session (starting one costs seconds of JVM start-up).

Java is needed: in CI (CI set) a missing Java fails the tests; elsewhere they skip with the reason.
"""

import os
import shutil

import pytest

HERE = os.path.dirname(__file__)


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.fspath).startswith(HERE):
            item.add_marker(pytest.mark.spark)


def java_missing() -> str | None:
    if shutil.which("java") or os.environ.get("JAVA_HOME"):
        return None
    return (
        "未找到 Java（Spark 需要 Java 17：apt-get install openjdk-17-jre-headless，或 make browser）"
        " / Java not found: Spark needs Java 17 (apt-get install openjdk-17-jre-headless, or make browser)"
    )


@pytest.fixture(scope="session")
def spark():
    reason = java_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail("CI: " + reason)
        pytest.skip(reason)
    from fupin.exchange.comparison.spark import session

    s = session(
        "local[2]",
        2,
        **{
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.adaptive.coalescePartitions.initialPartitionNum": "2",
            "spark.driver.memory": "1g",
        },
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
