"""Simulated time, shared by every simulator: see :mod:`coffee_machine.clock`."""

from ...clock import MANUAL_EPOCH, Clock, ManualClock, RealClock, Timer

__all__ = ["MANUAL_EPOCH", "Clock", "ManualClock", "RealClock", "Timer"]
