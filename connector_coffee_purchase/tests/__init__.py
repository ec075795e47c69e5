from . import test_reorder
