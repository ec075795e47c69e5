from . import runtime
from . import common
from . import committed_state
from . import job_runner
