"""Locating the LAReQA benchmarks (XQuAD-R, MLQA-R): a local folder or a checked download.

``data_dir`` is a folder holding ``xquad-r/`` and ``mlqa-r/`` (one
``<lang>.json`` each, as in the LAReQA release). Without one, files are
fetched once from the public LAReQA repository into
``$HYBRID_BATCH_ST_CACHE`` (default ``~/.cache/hybrid_batch_st``), checked
against the SHA-256 sums below, and written atomically.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import option_name
from .downloads import default_cache_dir, fetch_file, file_sha256
from .squad_r import SquadRLanguage, read_squad_r

__all__ = ["Benchmark", "BENCHMARKS", "get_benchmark", "benchmark_files", "load_benchmark"]

UPSTREAM = "https://raw.githubusercontent.com/google-research-datasets/lareqa/master"


@dataclass(frozen=True)
class Benchmark:
    """One LAReQA benchmark: where its files live upstream and their checksums.

    Attributes:
        name: the benchmark's name (``"xquad-r"``, ``"mlqa-r"``) and its folder under ``data_dir``.
        upstream_folder: its folder in the LAReQA repository.
        sha256: ``{lang: SHA-256 of <lang>.json}``, one entry per language.
    """

    name: str
    upstream_folder: str
    sha256: Mapping[str, str]

    @property
    def languages(self) -> tuple[str, ...]:
        """The benchmark's languages, as its files name them."""
        return tuple(self.sha256)


BENCHMARKS: dict[str, Benchmark] = {
    "xquad-r": Benchmark(
        "xquad-r",
        "xquad-r",
        {
            "ar": "c52922d3b8ac1ae03ed5ac38647ad59870dca3dda2beefe18ecdc30729acb69d",
            "de": "16fb0f4bf4916154b585a20c24c66074591c9718a1affe764ff4697572328949",
            "el": "163fd43ee785a30eb534ae2061e9eaa766a7ee4e8ffce5e4b422480c150f64b6",
            "en": "7b0954f39297c27a31fef610f0883337dd2907fa8699151dc922afdd0fa12ffe",
            "es": "f8e836b2d91009c4363e04315f7ede363eedbbb49c67dda60de6c4aa782f58de",
            "hi": "ea45ba8ae4513d1533b222bebdc02a90bc319c055d3aeea68584a053d2e92872",
            "ru": "7f4dff853538b9a5fcc28c070b8bb983a5c5d190ac747b8e005a1ada9cab18f1",
            "th": "c3a041864c3a9fb0b4dd91cfdf99cf36b411b3e704c58a303c97bc6dc786cfe4",
            "tr": "f3e8c13002bbce154a4578f535f7533cb70f3da08840e6b62735935baec7bd94",
            "vi": "e35926bf5cc6fc6ecbdfca49467aabeb454f08d152d7818143a906bd31dde995",
            "zh": "80c2cde7b9c2fb134c303cbb52f2ba396ead9eb0014aec43993543d2ba9e93ed",
        },
    ),
    "mlqa-r": Benchmark(
        "mlqa-r",
        "mlqa-dev-r",
        {
            "ar": "2132fbc03208535c0fe01f2e2c5121d06f9c2aa799af93b0a719dbc105bdf137",
            "de": "ce9454dc5aa6f2d85c23cd6e49cb367fbb7c4c6e62d7f71e355c6b5dae4d0886",
            "en": "fedd9a5cc0848dda80caf84aa36f482adaae230526a3f6e9e86926a93ef3b1e4",
            "es": "70ecba276b8c96a692b120693a595d076ce94ad21d4b28311538a9fcbfe0f9d7",
            "hi": "4dd0fb3c06f737a5481d705bc1dcac7876712a5815c9265908fbb3a0696cb654",
            "vi": "9d3baff6ba03e6793b25594217265ea59a136b9733833dca8a9582a84a78ff85",
            "zh": "57f01d2fff50cf3392805635b01445339f225ad5bf28ba8443b12f8dbd1e69dc",
        },
    ),
}


def get_benchmark(name: str) -> Benchmark:
    """The LAReQA benchmark of a name.

    Args:
        name: ``"xquad-r"`` or ``"mlqa-r"`` (any case).

    Returns:
        Its :class:`Benchmark`.

    Raises:
        ValueError: No benchmark has that name.
    """
    try:
        return BENCHMARKS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown benchmark {name!r}; choose one of {sorted(BENCHMARKS)}") from None


def _check_languages(bench: Benchmark, languages: Iterable[str] | None) -> list[str]:
    if languages is None:
        return list(bench.languages)
    languages = list(dict.fromkeys(languages))
    unknown = [lang for lang in languages if lang not in bench.sha256]
    if unknown:
        raise ValueError(
            f"{bench.name} has no language(s) {unknown}; it has {list(bench.languages)}"
        )
    if not languages:
        raise ValueError(f"no languages given for {bench.name}")
    return languages


def _download(bench: Benchmark, lang: str, target: Path) -> None:
    url = f"{UPSTREAM}/{bench.upstream_folder}/{lang}.json"
    print(f"downloading {bench.name} {lang} from {url} into {target.parent} (once; checked by SHA-256)",
          file=sys.stderr, flush=True)
    fetch_file(url, target, bench.sha256[lang], f"{bench.name} {lang}", f"{bench.name}/{lang}.json")


def benchmark_files(
    name: str,
    languages: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> dict[str, Path]:
    """Path of each language file of benchmark ``name``, downloading into the cache if needed.

    Args:
        name: ``"xquad-r"`` or ``"mlqa-r"``.
        languages: languages to locate, as the benchmark's files name them (default: all).
        data_dir: a folder holding ``<name>/<lang>.json``; files are then read from there, never downloaded.
        cache_dir: the download cache (default: ``$HYBRID_BATCH_ST_CACHE``, else ``~/.cache/hybrid_batch_st``).

    Returns:
        ``{lang: path}`` in the order of ``languages``.

    Raises:
        ValueError: An unknown benchmark or language.
        FileNotFoundError: ``data_dir`` lacks a language's file.
        DownloadError: A missing or changed cache file could not be downloaded and checked.
    """
    bench = get_benchmark(name)
    langs = _check_languages(bench, languages)
    if data_dir is not None:
        folder = Path(data_dir) / bench.name
        missing = [lang for lang in langs if not (folder / f"{lang}.json").is_file()]
        if missing:
            raise FileNotFoundError(
                f"{option_name('data_dir')} {data_dir}: {folder} lacks {[f'{m}.json' for m in missing]}; "
                f"it must hold {bench.name}/<lang>.json files as in the LAReQA release"
            )
        return {lang: folder / f"{lang}.json" for lang in langs}
    folder = Path(cache_dir or default_cache_dir()) / bench.name
    files = {}
    for lang in langs:
        path = folder / f"{lang}.json"
        if not path.is_file() or file_sha256(path) != bench.sha256[lang]:
            _download(bench, lang, path)
        files[lang] = path
    return files


def load_benchmark(
    name: str,
    languages: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> dict[str, SquadRLanguage]:
    """XQuAD-R or MLQA-R as ``{lang: SquadRLanguage}``: from ``data_dir``, else a checked download into the cache.

    For evaluation, :func:`hybrid_batch_st.data.sources.load_eval_data` gives the same data as a
    :class:`~hybrid_batch_st.tasks.task.RetrievalTask`; this shape is what training and the splits read.

    Args:
        name: ``"xquad-r"`` (11 languages) or ``"mlqa-r"`` (7).
        languages: languages to read (default: all).
        data_dir: a folder holding ``<name>/<lang>.json`` as in the LAReQA release.
        cache_dir: the download cache (default: ``$HYBRID_BATCH_ST_CACHE``, else ``~/.cache/hybrid_batch_st``).

    Returns:
        ``{lang: SquadRLanguage}`` in the order of ``languages``.

    Example:
        >>> data = load_benchmark("xquad-r", ["en", "de"])  # doctest: +SKIP
        >>> len(data["de"].questions)  # doctest: +SKIP
        1190
    """
    return {
        lang: read_squad_r(path, lang)
        for lang, path in benchmark_files(name, languages, data_dir, cache_dir).items()
    }
