from . import runtime
from . import common
from . import committed_state
from . import job_runner
from . import timestamp
from . import imports
from . import schedule
from . import events_health
