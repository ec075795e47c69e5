from . import user
from . import company
from . import trigger
from . import ir_http
