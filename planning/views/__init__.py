"""Planning pages, by noun: plans, the notice import, rollover, deadlines."""
