from . import coffee_backend
from . import coffee_binding
from . import coffee_machine
from . import coffee_beverage
from . import coffee_brew
from . import coffee_busy
from . import coffee_cost
from . import coffee_dashboard
