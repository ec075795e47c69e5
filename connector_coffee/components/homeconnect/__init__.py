from . import adapter
from . import authenticator
