from . import coffee_events
