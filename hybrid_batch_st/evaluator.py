"""Deprecated alias of :mod:`hybrid_batch_st.sentence_evaluator` (renamed in 0.2.0; removed in 0.3.0).

``load_eval_data`` and ``EVAL_SOURCES`` moved to :mod:`hybrid_batch_st.sources`.
"""

import warnings

from .sentence_evaluator import MultilingualRetrievalEvaluator  # noqa: F401
from .sources import EVAL_SOURCES, load_eval_data  # noqa: F401

warnings.warn("hybrid_batch_st.evaluator is now hybrid_batch_st.sentence_evaluator (the evaluator class is also "
              "hybrid_batch_st.MultilingualRetrievalEvaluator)", DeprecationWarning, stacklevel=2)
