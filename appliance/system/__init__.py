"""The appliance itself: component status, job history, housekeeping."""
