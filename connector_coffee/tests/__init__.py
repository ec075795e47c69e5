from . import test_adapter
from . import test_authorization_code
from . import test_committed_state
from . import test_components
from . import test_connection
from . import test_device_flow
from . import test_security
from . import test_tokens
