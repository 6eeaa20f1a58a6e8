"""Lists (Shopping, Chores, and any a member makes) and their items."""
