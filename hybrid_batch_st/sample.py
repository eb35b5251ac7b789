"""Deprecated alias of :mod:`hybrid_batch_st.bundled_sample` (renamed in 0.2.0; removed in 0.3.0)."""

import warnings

from .bundled_sample import *  # noqa: F401,F403
from .bundled_sample import SAMPLE_LANGUAGES, TRAIN_ARTICLES, load_sample, sample_split  # noqa: F401
from .squad_r import split_by_article  # noqa: F401

warnings.warn("hybrid_batch_st.sample is now hybrid_batch_st.bundled_sample", DeprecationWarning, stacklevel=2)
