"""``python -m hybrid_batch_st``: the ``hybrid-batch-st`` command line (as ``python -m hybrid_batch_st.cli``)."""

import sys

from .cli import main

sys.exit(main())
