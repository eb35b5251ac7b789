"""``python -m hybrid_batch_st.cli`` (also under torchrun): the command line."""

import sys

from . import main

sys.exit(main())
